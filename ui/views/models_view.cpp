#include "ui/views/models_view.h"

#include "core/hub/model_cache.h"
#include "core/hub/model_catalog.h"
#include "core/hub/model_download.h"
#include "core/io/model_folder.h"
#include "core/io/model_format.h"
#include "core/model/gpt_config.h"
#include "core/train/memory_estimate.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "ui/workers/job_runner.h"
#include "ui/duration_text.h"
#include "ui/named.h"
#include "ui/studio_state.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <limits>
#include <optional>

namespace sft::ui {

namespace {

const char* const kLocalFoldersKey = "models/localFolders";

enum LocalColumn { NameColumn, ParametersColumn, ShapeColumn, TokenizerColumn, PathColumn };

QString parameters(int64_t count) { return QLocale().toString(qlonglong(count)); }

QString bytes(int64_t count, int precision = 1)
{
    return QLocale().formattedDataSize(count, precision, QLocale::DataSizeSIFormat);
}

// Preset names as `sft-studio init --config` takes them: the catalog's sizes, and a tiny one.
QStringList initConfigNames()
{
    QStringList names{QStringLiteral("tiny")};
    for (const CatalogModel& model : modelCatalog())
        names << QString::fromStdString(model.name);
    return names;
}

} // namespace

ModelsView::ModelsView(StudioState* state, QWidget* parent) : QWidget(parent), state_(state)
{
    inUse_ = new QLabel;
    inUse_->setObjectName("modelInUse");
    inUse_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    inUse_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(inUse_);
    layout->addWidget(buildHub());
    layout->addWidget(buildLocal(), 1);
    layout->addWidget(buildRandomInit());

    connect(state_, &StudioState::modelPathChanged, this, &ModelsView::showModelInUse);
    for (const QString& path : QSettings().value(kLocalFoldersKey).toStringList())
        listLocalFolder(path);
    showModelInUse();
}

QWidget* ModelsView::buildHub()
{
    auto* group = new QGroupBox(tr("GPT-2 from the Hugging Face hub"));
    auto* grid = new QGridLayout(group);
    const QStringList headers{tr("Model"), tr("Parameters"), tr("Download"), tr("To fine-tune"), tr("Status"),
                              tr("Progress")};
    for (int c = 0; c < headers.size(); ++c) {
        auto* header = new QLabel(QStringLiteral("<b>%1</b>").arg(headers[c]));
        grid->addWidget(header, 0, c);
    }
    grid->itemAtPosition(0, 3)->widget()->setToolTip(
        tr("Memory that full fine-tuning needs at the chapter's batch of 8 entries of up to 256 tokens (LoRA, in "
           "Train > Advanced, needs less)"));
    const std::vector<CatalogModel>& catalog = modelCatalog();
    hubRows_.resize(catalog.size());
    for (size_t i = 0; i < catalog.size(); ++i) {
        HubRow& row = hubRows_[i];
        row.model = &catalog[i];
        const QString name = QString::fromStdString(row.model->name);
        row.job = new JobRunner(tr("Downloading %1").arg(name), state_, this);
        row.status = new QLabel;
        row.status->setObjectName("status_" + name);
        row.progress = new QProgressBar;
        row.progress->setObjectName("progress_" + name);
        row.progress->setRange(0, 1000);
        row.progress->setValue(0);
        row.progress->setMinimumWidth(160);
        row.transfer = new QLabel;
        row.transfer->setObjectName("transfer_" + name);
        row.transfer->setWordWrap(true);
        row.download = new QPushButton(QIcon::fromTheme("download"), tr("Download"));
        row.download->setObjectName("download_" + name);
        row.cancel = new QPushButton(tr("Cancel"));
        row.cancel->setObjectName("cancel_" + name);
        row.cancel->setEnabled(false);
        row.use = new QPushButton(tr("Use this model"));
        row.use->setObjectName("use_" + name);

        const int r = int(i) * 2 + 1;
        // The chapter fine-tunes gpt2-medium: the one to take for its results.
        const bool chapters = row.model->name == "gpt2-medium";
        auto* title = new QLabel(chapters ? tr("%1<br><i>the chapter's model</i>").arg(name) : name);
        if (chapters)
            title->setToolTip(tr("Recommended: chapter 7 fine-tunes gpt2-medium"));
        grid->addWidget(title, r, 0);
        grid->addWidget(new QLabel(QString::fromStdString(row.model->parameters)), r, 1);
        grid->addWidget(new QLabel(tr("about %1").arg(bytes(row.model->approxBytes, 0))), r, 2);
        const int64_t memory =
            estimateTrainingMemory(GptConfig::preset(row.model->name), 8, 256, nullptr).peak();
        grid->addWidget(named(new QLabel(tr("about %1").arg(QString::fromStdString(formatGigabytes(memory)))),
                              "memory_" + name),
                        r, 3);
        grid->addWidget(row.status, r, 4);
        grid->addWidget(row.progress, r, 5);
        grid->addWidget(row.download, r, 6);
        grid->addWidget(row.cancel, r, 7);
        grid->addWidget(row.use, r, 8);
        grid->addWidget(row.transfer, r + 1, 4, 1, 5);

        connect(row.download, &QPushButton::clicked, this, [this, i] { startDownload(i); });
        connect(row.cancel, &QPushButton::clicked, row.job, &JobRunner::cancel);
        connect(row.use, &QPushButton::clicked, this, [this, i] { useModel(hubFolder(*hubRows_[i].model)); });
        connect(row.job, &JobRunner::finished, this, [this, i](bool ok, bool cancelled, const QString& error) {
            onDownloadFinished(hubRows_[i], ok, cancelled, error);
        });
        showHubStatus(row);
    }
    grid->setColumnStretch(5, 1);
    return group;
}

QWidget* ModelsView::buildLocal()
{
    localList_ = new QTreeWidget;
    localList_->setObjectName("localModels");
    localList_->setRootIsDecorated(false);
    localList_->setHeaderLabels({tr("Folder"), tr("Parameters"), tr("Shape"), tr("Tokenizer"), tr("Path")});
    localList_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto* add = new QPushButton(QIcon::fromTheme("folder-open"), tr("Add folder…"));
    add->setObjectName("addFolderButton");
    removeLocal_ = new QPushButton(tr("Remove from list"));
    removeLocal_->setObjectName("removeFolderButton");
    useLocal_ = new QPushButton(tr("Use this model"));
    useLocal_->setObjectName("useLocalButton");
    auto selected = [this] { return localList_->currentItem() != nullptr; };
    removeLocal_->setEnabled(false);
    useLocal_->setEnabled(false);
    connect(localList_, &QTreeWidget::currentItemChanged, this, [this, selected] {
        removeLocal_->setEnabled(selected());
        useLocal_->setEnabled(selected());
    });
    connect(add, &QPushButton::clicked, this, &ModelsView::addLocalFolder);
    connect(removeLocal_, &QPushButton::clicked, this, &ModelsView::removeLocalFolder);
    connect(useLocal_, &QPushButton::clicked, this,
            [this] { useModel(localList_->currentItem()->text(PathColumn)); });
    connect(localList_, &QTreeWidget::itemDoubleClicked, this,
            [this](QTreeWidgetItem* item) { useModel(item->text(PathColumn)); });

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(add);
    buttons->addWidget(removeLocal_);
    buttons->addStretch(1);
    buttons->addWidget(useLocal_);
    auto* group = new QGroupBox(tr("Local model folders (Hugging Face GPT-2 layout, the book's .safetensors, "
                                   "or OpenAI's checkpoint)"));
    auto* layout = new QVBoxLayout(group);
    layout->addWidget(localList_, 1);
    layout->addLayout(buttons);
    return group;
}

QWidget* ModelsView::buildRandomInit()
{
    initConfig_ = new QComboBox;
    initConfig_->setObjectName("initConfigCombo");
    initConfig_->addItems(initConfigNames());
    initSize_ = new QLabel;
    initSeed_ = new QSpinBox;
    initSeed_->setObjectName("initSeedSpin");
    initSeed_->setRange(0, std::numeric_limits<int>::max());
    initSeed_->setValue(123); // sft-studio init's default
    initFolder_ = new QLineEdit;
    initFolder_->setObjectName("initFolderEdit");
    auto* browse = new QPushButton(tr("Choose…"));
    browse->setObjectName("initBrowseButton");
    create_ = new QPushButton(tr("Create"));
    create_->setObjectName("initCreateButton");
    initStatus_ = new QLabel;
    initStatus_->setObjectName("initStatus");
    initStatus_->setWordWrap(true);
    initJob_ = new JobRunner(tr("Creating a random model"), state_, this);

    connect(initConfig_, &QComboBox::currentTextChanged, this, &ModelsView::suggestInitFolder);
    connect(initSeed_, &QSpinBox::valueChanged, this, &ModelsView::suggestInitFolder);
    connect(initFolder_, &QLineEdit::textEdited, this, [this] { initFolderEdited_ = true; });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString parent = QFileDialog::getExistingDirectory(this, tr("Folder to create the model in"),
                                                                 QFileInfo(initFolder_->text()).absolutePath());
        if (parent.isEmpty())
            return;
        initFolder_->setText(QDir(parent).filePath(QFileInfo(initFolder_->text()).fileName()));
        initFolderEdited_ = true;
    });
    connect(create_, &QPushButton::clicked, this, &ModelsView::createRandomModel);
    connect(initJob_, &JobRunner::finished, this, &ModelsView::onCreateFinished);
    suggestInitFolder();

    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(initFolder_, 1);
    folderRow->addWidget(browse);
    auto* configRow = new QHBoxLayout;
    configRow->addWidget(initConfig_);
    configRow->addWidget(initSize_, 1);
    auto* group = new QGroupBox(tr("New model with random weights (offline experiments)"));
    auto* form = new QFormLayout(group);
    form->addRow(tr("Size:"), configRow);
    form->addRow(tr("Seed:"), initSeed_);
    form->addRow(tr("Folder:"), folderRow);
    auto* createRow = new QHBoxLayout;
    createRow->addWidget(create_);
    createRow->addWidget(initStatus_, 1);
    form->addRow(createRow);
    return group;
}

QString ModelsView::hubFolder(const CatalogModel& model) const
{
    try {
        return QString::fromStdString(ModelCache().folder(model));
    } catch (const Error&) {
        return {};
    }
}

void ModelsView::startDownload(size_t index)
{
    HubRow& row = hubRows_[index];
    row.download->setEnabled(false);
    row.cancel->setEnabled(true);
    row.use->setEnabled(false);
    row.progress->setValue(0);
    row.progress->setTextVisible(true);
    row.transfer->setText(tr("Connecting…"));
    const CatalogModel* model = row.model;
    JobRunner* job = row.job;
    job->start([this, model, job, index] {
        const auto onProgress = [this, job, index](const ModelFileProgress& progress) {
            job->post([this, index, progress] { showDownloadProgress(hubRows_[index], progress); });
        };
        downloadModel(*model, ModelCache(), hubEndpoint(), DownloadTimeouts{}, onProgress, job->control());
    });
}

void ModelsView::showDownloadProgress(HubRow& row, const ModelFileProgress& p)
{
    const DownloadProgress& t = p.transfer;
    const QString file = QString::fromStdString(p.file);
    if (t.total > 0)
        row.progress->setValue(int(t.bytes * 1000 / t.total));
    QString text;
    if (t.phase == DownloadProgress::Phase::Verifying) {
        text = tr("Verifying %1 (%2 of %3)").arg(file).arg(p.index + 1).arg(p.count);
    } else {
        text = tr("%1 (%2 of %3): %4 of %5")
                   .arg(file)
                   .arg(p.index + 1)
                   .arg(p.count)
                   .arg(bytes(t.bytes), t.total >= 0 ? bytes(t.total) : tr("unknown size"));
        if (t.bytesPerSecond > 0) {
            text += tr(" · %1/s").arg(bytes(int64_t(t.bytesPerSecond)));
            if (t.total > t.bytes)
                text += tr(" · %1 left").arg(durationText(double(t.total - t.bytes) / t.bytesPerSecond));
        }
        if (t.resumedFrom > 0)
            text += tr(" · resumed at %1").arg(bytes(t.resumedFrom));
    }
    row.transfer->setText(text);
    state_->setJobStatus(tr("Downloading %1: %2").arg(QString::fromStdString(row.model->name), text));
}

void ModelsView::onDownloadFinished(HubRow& row, bool ok, bool cancelled, const QString& error)
{
    const QString name = QString::fromStdString(row.model->name);
    row.cancel->setEnabled(false);
    showHubStatus(row);
    if (ok) {
        // What one downloads is what one means to train: it becomes the model in use.
        row.transfer->setText(tr("Downloaded into %1; it is the model in use now.").arg(hubFolder(*row.model)));
        useModel(hubFolder(*row.model));
    }
    else if (cancelled)
        row.transfer->setText(tr("Cancelled. Download again to continue where it stopped."));
    else
        row.transfer->setText(tr("Failed: %1").arg(error));
    state_->setJobStatus(ok ? tr("%1 downloaded").arg(name)
                            : cancelled ? tr("Download of %1 cancelled").arg(name)
                                        : tr("Download of %1 failed").arg(name));
}

void ModelsView::showHubStatus(HubRow& row)
{
    std::vector<std::string> missing;
    try {
        missing = ModelCache().missingFiles(*row.model);
    } catch (const Error& e) {
        row.status->setText(tr("No cache folder"));
        row.status->setToolTip(QString::fromUtf8(e.what()));
        row.download->setEnabled(false);
        row.use->setEnabled(false);
        return;
    }
    const size_t all = modelFileNames().size();
    const bool complete = missing.empty();
    const bool inUse = complete && hubFolder(*row.model) == state_->modelPath();
    const QString partly = tr("Partly downloaded (%1 of %2 files)").arg(all - missing.size()).arg(all);
    row.status->setText(inUse                  ? tr("Downloaded · in use")
                        : complete             ? tr("Downloaded")
                        : missing.size() < all ? partly
                                               : tr("Not downloaded"));
    QFont font = row.status->font();
    font.setBold(inUse);
    row.status->setFont(font);
    row.status->setToolTip(hubFolder(*row.model));
    const bool running = row.job->isRunning();
    if (!running) {
        row.progress->setValue(complete ? row.progress->maximum() : 0);
        row.progress->setTextVisible(complete);
    }
    row.download->setEnabled(!complete && !running);
    row.download->setText(missing.size() < all && !complete ? tr("Resume") : tr("Download"));
    row.use->setEnabled(complete && !running);
}

void ModelsView::addLocalFolder()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Model folder"));
    if (path.isEmpty())
        return;
    if (!isModelFolder(path.toStdString())) {
        QMessageBox::warning(this, tr("Not a model folder"),
                             tr("%1 holds no model SFT Studio can read: a Hugging Face GPT-2 folder (config.json and "
                                "model.safetensors), a .safetensors file with the book's names, or OpenAI's "
                                "TensorFlow checkpoint.")
                                 .arg(path));
        return;
    }
    listLocalFolder(path);
    saveLocalFolders();
    showModelInUse();
}

void ModelsView::listLocalFolder(const QString& path)
{
    if (!localList_->findItems(path, Qt::MatchExactly, PathColumn).isEmpty())
        return;
    auto* item = new QTreeWidgetItem(localList_);
    item->setText(NameColumn, QFileInfo(path).fileName());
    item->setText(PathColumn, path);
    try {
        const std::string folder = modelFolderOf(path.toStdString());
        if (const std::optional<GptConfig> config = readModelConfig(folder)) {
            item->setText(ParametersColumn, parameters(config->parameterCount()));
            item->setText(ShapeColumn, tr("%1 layers × %2 dims, %3 positions")
                                           .arg(config->nLayers)
                                           .arg(config->embDim)
                                           .arg(config->contextLength));
        } else {
            item->setText(ParametersColumn, tr("unknown (no config.json)"));
        }
        item->setText(TokenizerColumn, Tokenizer::directoryHasTokenizer(folder) ? tr("yes") : tr("no"));
    } catch (const Error& e) {
        item->setText(ParametersColumn, tr("unreadable"));
        item->setToolTip(ParametersColumn, QString::fromUtf8(e.what()));
    }
}

void ModelsView::removeLocalFolder()
{
    delete localList_->currentItem();
    saveLocalFolders();
}

void ModelsView::saveLocalFolders() const
{
    QStringList paths;
    for (int i = 0; i < localList_->topLevelItemCount(); ++i)
        paths << localList_->topLevelItem(i)->text(PathColumn);
    QSettings().setValue(kLocalFoldersKey, paths);
}

void ModelsView::suggestInitFolder()
{
    const GptConfig config = GptConfig::preset(initConfig_->currentText().toStdString());
    initSize_->setText(tr("%1 parameters, %2 layers × %3 dims")
                           .arg(parameters(config.parameterCount()))
                           .arg(config.nLayers)
                           .arg(config.embDim));
    if (initFolderEdited_)
        return;
    const QString parent = initFolder_->text().isEmpty()
                               ? QDir::home().filePath(QStringLiteral("sft-studio-models"))
                               : QFileInfo(initFolder_->text()).absolutePath();
    initFolder_->setText(QDir(parent).filePath(
        QStringLiteral("random-%1-seed%2").arg(initConfig_->currentText()).arg(initSeed_->value())));
}

void ModelsView::createRandomModel()
{
    const std::string out = initFolder_->text().toStdString();
    const GptConfig config = GptConfig::preset(initConfig_->currentText().toStdString());
    const auto seed = uint64_t(initSeed_->value());
    create_->setEnabled(false);
    initStatus_->setText(tr("Creating…"));
    state_->setJobStatus(tr("Creating a random %1 model").arg(initConfig_->currentText()));
    initJob_->start([this, out, config, seed] {
        if (out.empty())
            throw ConfigError("choose the folder to create the model in");
        if (isModelFolder(out))
            throw ConfigError(out + " already holds a model; choose another folder or delete it first");
        // As `sft-studio init`: the model carries the GPT-2 tokenizer's files.
        const Tokenizer tokenizer = defaultTokenizer();
        Gpt model(config);
        model->initWeights(seed);
        saveModelFolder(out, model, &tokenizer);
        const QString path = QString::fromStdString(out);
        initJob_->post([this, path] {
            listLocalFolder(path);
            saveLocalFolders();
            showModelInUse();
            createdNote_ = tr("Created %1.").arg(path);
        });
    });
}

void ModelsView::onCreateFinished(bool ok, bool, const QString& error)
{
    create_->setEnabled(true);
    initStatus_->setText(ok ? createdNote_ : tr("Could not create the model: %1").arg(error));
    state_->setJobStatus(ok ? tr("Random model created") : tr("Could not create the model"));
}

void ModelsView::useModel(const QString& path)
{
    if (!path.isEmpty())
        state_->setModelPath(path);
}

void ModelsView::showModelInUse()
{
    const QString path = state_->modelPath();
    inUse_->setText(path.isEmpty() ? tr("No model in use yet: download one, add a folder, or create a random one.")
                                   : tr("<b>Model in use:</b> %1").arg(path.toHtmlEscaped()));
    bool listed = path.isEmpty();
    for (HubRow& row : hubRows_) {
        showHubStatus(row);
        listed = listed || hubFolder(*row.model) == path;
    }
    // A model chosen elsewhere (a fine-tuned one, a folder given on the command line) is shown too.
    if (!listed && localList_->findItems(path, Qt::MatchExactly, PathColumn).isEmpty())
        listLocalFolder(path);
    for (int i = 0; i < localList_->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = localList_->topLevelItem(i);
        QFont font = item->font(NameColumn);
        font.setBold(item->text(PathColumn) == path);
        item->setFont(NameColumn, font);
    }
}

} // namespace sft::ui
