#include "ui/views/data_view.h"

#include "core/data/batcher.h"
#include "core/data/prompt_template.h"
#include "core/data/token_roles.h"
#include "core/hub/chapter_dataset.h"
#include "core/judge/make_preferences.h"
#include "core/util/error.h"
#include "ui/workers/dataset_snapshot.h"
#include "ui/models/dataset_table_model.h"
#include "ui/models/entry_filter_model.h"
#include "ui/workers/job_runner.h"
#include "ui/charts/length_histogram_chart.h"
#include "ui/remembered_judge.h"
#include "ui/studio_state.h"
#include "ui/views/answer_detail.h"
#include "ui/views/token_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace sft::ui {

namespace {

constexpr int kDefaultMaxLength = 1024; // the chapter's allowed_max_length
constexpr int kLargestMaxLength = 1 << 20;

QString count(int64_t n) { return QLocale().toString(qlonglong(n)); }

QLabel* legendSwatch(TokenRole role)
{
    auto* label = new QLabel(TokenView::roleName(role));
    label->setStyleSheet(
        QStringLiteral("QLabel { background: %1; color: black; padding: 1px 6px; border-radius: 3px; }")
            .arg(TokenView::roleColor(role).name()));
    return label;
}

QLabel* countLabel(const QString& objectName)
{
    auto* label = new QLabel(QStringLiteral("–"));
    label->setObjectName(objectName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

DataView::DataView(StudioState* state, QWidget* parent)
    : QWidget(parent),
      state_(state),
      loadJob_(new JobRunner(tr("Loading dataset"), state, this)),
      fetchJob_(new JobRunner(tr("Downloading the chapter-7 dataset"), state, this)),
      preferenceJob_(new JobRunner(tr("Making preference data"), state, this)),
      model_(new DatasetTableModel(this)),
      filter_(new EntryFilterModel(this))
{
    filter_->setSourceModel(model_);

    placeholder_ = new QLabel(tr("Open an Alpaca-style dataset (a JSON list or JSON Lines of instruction, input and "
                                 "output), or get the chapter-7 dataset of 1,100 entries with one click."));
    placeholder_->setObjectName("dataPlaceholder");
    placeholder_->setAlignment(Qt::AlignCenter);
    placeholder_->setWordWrap(true);
    auto* content = new QSplitter(Qt::Horizontal);
    content->addWidget(buildTable());
    auto* side = new QSplitter(Qt::Vertical);
    side->addWidget(buildDetail());
    side->addWidget(buildPreferencePair());
    side->addWidget(buildSummary());
    content->addWidget(side);
    content->setStretchFactor(0, 3);
    content->setStretchFactor(1, 2);
    pages_ = new QStackedWidget;
    pages_->addWidget(placeholder_);
    pages_->addWidget(content);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildToolbar());
    layout->addWidget(buildOptions());
    layout->addWidget(pages_, 1);

    connect(loadJob_, &JobRunner::finished, this, &DataView::onLoadFinished);
    connect(fetchJob_, &JobRunner::finished, this, &DataView::onFetchFinished);
    connect(state_, &StudioState::datasetPathChanged, this, &DataView::reload);
    connect(state_, &StudioState::modelPathChanged, this, &DataView::reload);
    if (!state_->datasetPath().isEmpty())
        reload();
}

QWidget* DataView::buildToolbar()
{
    openButton_ = new QPushButton(QIcon::fromTheme("document-open"), tr("Open dataset…"));
    openButton_->setObjectName("openDatasetButton");
    fetchButton_ = new QPushButton(QIcon::fromTheme("download"), tr("Get the chapter-7 dataset"));
    fetchButton_->setObjectName("fetchChapterButton");
    fetchButton_->setToolTip(tr("Downloads instruction-data.json (1,100 entries) from the book's repository once, "
                                "into the cache"));
    pathLabel_ = new QLabel;
    pathLabel_->setObjectName("datasetPath");
    pathLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusLabel_ = new QLabel;
    statusLabel_->setObjectName("dataStatus");
    statusLabel_->setWordWrap(true);
    progress_ = new QProgressBar;
    progress_->setObjectName("dataProgress");
    progress_->setMaximumWidth(220);
    progress_->hide();
    connect(openButton_, &QPushButton::clicked, this, &DataView::openDataset);
    connect(fetchButton_, &QPushButton::clicked, this, &DataView::fetchChapterDataset);
    preferenceButton_ = new QPushButton(tr("Make preference data…"));
    preferenceButton_->setObjectName("makePreferencesButton");
    preferenceButton_->setToolTip(tr("For DPO: the judge model chosen in Evaluate rewrites each answer slightly more "
                                     "polite or impolite; the polite one becomes 'chosen', the other 'rejected'"));
    connect(preferenceButton_, &QPushButton::clicked, this, &DataView::askForPreferenceData);
    connect(preferenceJob_, &JobRunner::finished, this, [this](bool ok, bool cancelled, const QString& error) {
        preferenceButton_->setText(tr("Make preference data…"));
        progress_->hide();
        if (cancelled)
            statusLabel_->setText(tr("Stopped; the rewrites so far are kept: making the same file again continues"));
        if (!ok && !cancelled)
            statusLabel_->setText(tr("Could not make preference data: %1").arg(error));
    });

    auto* bar = new QWidget;
    auto* grid = new QGridLayout(bar);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(openButton_, 0, 0);
    grid->addWidget(fetchButton_, 0, 1);
    grid->addWidget(preferenceButton_, 0, 2);
    grid->addWidget(pathLabel_, 0, 3);
    grid->addWidget(statusLabel_, 1, 0, 1, 4);
    grid->addWidget(progress_, 1, 4);
    grid->setColumnStretch(3, 1);
    return bar;
}

QWidget* DataView::buildOptions()
{
    templateCombo_ = new QComboBox;
    templateCombo_->setObjectName("templateCombo");
    templateCombo_->addItem(tr("Alpaca (chapter 7)"), QStringLiteral("alpaca"));
    templateCombo_->addItem(tr("Phi-3 (exercise 7.1)"), QStringLiteral("phi3"));
    maxLength_ = new QSpinBox;
    maxLength_->setObjectName("maxLengthSpin");
    maxLength_->setRange(1, kLargestMaxLength);
    maxLength_->setValue(kDefaultMaxLength);
    maxLength_->setSuffix(tr(" tokens"));
    maxLength_->setToolTip(tr("allowed_max_length: longer examples are cut to this many positions"));
    maskPrompt_ = new QCheckBox(tr("Mask the prompt (exercise 7.2)"));
    maskPrompt_->setObjectName("maskPromptCheck");
    maskPrompt_->setToolTip(tr("No loss on predicting the prompt's tokens: only the response is trained"));
    connect(templateCombo_, &QComboBox::currentIndexChanged, this, &DataView::reload);
    connect(maxLength_, &QSpinBox::valueChanged, this, &DataView::showMaxLength);
    connect(maskPrompt_, &QCheckBox::toggled, this, &DataView::showSelectedEntry);
    // One setting with the Train view's: the colours show what training will do.
    maskPrompt_->setChecked(state_->maskPrompt());
    connect(maskPrompt_, &QCheckBox::toggled, state_, &StudioState::setMaskPrompt);
    connect(state_, &StudioState::maskPromptChanged, maskPrompt_, &QCheckBox::setChecked);

    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Template:")));
    layout->addWidget(templateCombo_);
    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Max length:")));
    layout->addWidget(maxLength_);
    layout->addSpacing(12);
    layout->addWidget(maskPrompt_);
    layout->addStretch(1);
    return row;
}

QWidget* DataView::buildTable()
{
    search_ = new QLineEdit;
    search_->setObjectName("searchBox");
    search_->setPlaceholderText(tr("Search instruction, input and output"));
    search_->setClearButtonEnabled(true);
    table_ = new QTableView;
    table_->setObjectName("entryTable");
    table_->setModel(filter_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setWordWrap(false);
    table_->setAlternatingRowColors(true);
    // Row heights and column widths that do not depend on the rows: measuring 50,000 rows'
    // contents would stall the view.
    table_->verticalHeader()->hide();
    table_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    // The texts share what the index, split and token columns leave: every column in sight.
    for (int column : {DatasetTableModel::InstructionColumn, DatasetTableModel::InputColumn, DatasetTableModel::OutputColumn})
        header->setSectionResizeMode(column, QHeaderView::Stretch);
    header->setStretchLastSection(false);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    const int digit = fontMetrics().horizontalAdvance(QLatin1Char('0'));
    table_->setColumnWidth(DatasetTableModel::IndexColumn, digit * 7);
    table_->setColumnWidth(DatasetTableModel::SplitColumn, digit * 6);
    table_->setColumnWidth(DatasetTableModel::TokensColumn, digit * 8);
    // Sorting starts on the user's click, so that filtering keeps the file's order for free.
    connect(header, &QHeaderView::sortIndicatorChanged, filter_,
            [this](int column, Qt::SortOrder order) { filter_->sort(column, order); });
    rowCount_ = new QLabel;
    rowCount_->setObjectName("rowCount");
    connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
        filter_->setQuery(text);
        showRowCount();
    });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &DataView::showSelectedEntry);

    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(search_);
    layout->addWidget(table_, 1);
    layout->addWidget(rowCount_);
    return box;
}

QWidget* DataView::buildDetail()
{
    tokenView_ = new TokenView;
    tokenView_->setObjectName("tokenView");
    batchWidth_ = new QSpinBox;
    batchWidth_->setObjectName("batchWidthSpin");
    batchWidth_->setRange(0, kLargestMaxLength);
    batchWidth_->setSpecialValueText(tr("this entry"));
    batchWidth_->setToolTip(tr("Show the padding this entry gets in a batch whose longest entry has this many tokens"));
    entrySummary_ = new QLabel;
    entrySummary_->setObjectName("entrySummary");
    entrySummary_->setWordWrap(true);
    connect(batchWidth_, &QSpinBox::valueChanged, this, &DataView::showSelectedEntry);

    auto* legend = new QHBoxLayout;
    for (const TokenRole role : {TokenRole::Trained, TokenRole::Masked, TokenRole::Padding, TokenRole::CutOff})
        legend->addWidget(legendSwatch(role));
    legend->addStretch(1);
    legend->addWidget(new QLabel(tr("Longest entry in the batch:")));
    legend->addWidget(batchWidth_);

    auto* group = new QGroupBox(tr("The selected entry as the model sees it"));
    auto* layout = new QVBoxLayout(group);
    layout->addLayout(legend);
    layout->addWidget(tokenView_, 1);
    layout->addWidget(entrySummary_);
    return group;
}

// A preference file's entries (DPO) compare two answers: side by side, their differences marked.
QWidget* DataView::buildPreferencePair()
{
    pair_ = new AnswerDetail(tr("Chosen"), tr("Rejected"));
    pair_->setObjectName("preferencePair");
    auto* box = new QGroupBox(tr("Preference pair: the answer DPO prefers, and the other"));
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(pair_);
    box->setVisible(false);
    pairBox_ = box;
    return box;
}

QWidget* DataView::buildSummary()
{
    trainCount_ = countLabel("trainCount");
    valCount_ = countLabel("valCount");
    testCount_ = countLabel("testCount");
    auto* splits = new QHBoxLayout;
    splits->addWidget(new QLabel(tr("Split:")));
    for (const auto& [caption, label] : {std::pair{tr("train"), trainCount_}, std::pair{tr("validation"), valCount_},
                                         std::pair{tr("test"), testCount_}}) {
        splits->addWidget(label);
        splits->addWidget(new QLabel(caption));
        splits->addSpacing(8);
    }
    splits->addStretch(1);

    histogram_ = new LengthHistogramChart;
    histogram_->setObjectName("lengthHistogram");
    overMaxLength_ = new QLabel;
    overMaxLength_->setObjectName("overMaxLength");
    overMaxLength_->setWordWrap(true);
    auto* lengths = new QWidget;
    auto* lengthLayout = new QVBoxLayout(lengths);
    lengthLayout->addWidget(histogram_, 1);
    lengthLayout->addWidget(overMaxLength_);

    invalidEntries_ = new QListWidget;
    invalidEntries_->setObjectName("invalidEntries");
    summaryTabs_ = new QTabWidget;
    summaryTabs_->addTab(lengths, tr("Token lengths"));
    summaryTabs_->addTab(invalidEntries_, tr("Invalid entries"));
    warnings_ = new QListWidget;
    warnings_->setObjectName("warnings");
    warnings_->setToolTip(tr("Entries used as the chapter's code would use them, but worth a look"));
    summaryTabs_->addTab(warnings_, tr("Warnings"));

    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(splits);
    layout->addWidget(summaryTabs_, 1);
    return box;
}

void DataView::reload()
{
    if (state_->datasetPath().isEmpty())
        return;
    if (loadJob_->isRunning()) {
        reloadPending_ = true;
        loadJob_->cancel();
        return;
    }
    startLoad();
}

void DataView::startLoad()
{
    const QString path = state_->datasetPath();
    const QString templateName = templateCombo_->currentData().toString();
    const QString modelPath = state_->modelPath();
    std::shared_ptr<const DatasetContent> have = content_ && content_->path == path ? content_ : nullptr;
    if (!have)
        showProgress(tr("Loading %1…").arg(QFileInfo(path).fileName()), 0, 0);
    loadJob_->start([this, path, templateName, modelPath, have] {
        std::shared_ptr<const DatasetContent> content = have;
        if (!content) {
            content = loadDatasetContent(path);
            loadJob_->post([this, content] { showContent(content); });
        }
        const auto progress = [this](int64_t done, int64_t total, const std::string&) {
            loadJob_->post([this, done, total] {
                showProgress(tr("Tokenizing: %1 of %2 entries").arg(count(done), count(total)), done, total);
            });
        };
        try {
            auto tokens = tokenizeDatasetContent(*content, templateName, modelPath, *loadJob_->control(), progress);
            loadJob_->post([this, tokens] { showTokens(tokens); });
        } catch (const Cancelled&) {
            throw;
        } catch (const Error& e) {
            const QString why = QString::fromUtf8(e.what());
            loadJob_->post([this, why] {
                tokensProblem_ = tr("No tokens to show: %1").arg(why);
                showSelectedEntry();
            });
        }
    });
}

void DataView::onLoadFinished(bool ok, bool cancelled, const QString& error)
{
    if (reloadPending_) {
        reloadPending_ = false;
        startLoad();
        return;
    }
    progress_->hide();
    if (ok) {
        const QString loaded = tokens_ ? tr("%1 entries, tokenized with the %2 template (tokenizer: %3)")
                                             .arg(count(int64_t(content_->dataset.entries.size())),
                                                  templateCombo_->currentText(), tokens_->tokenizerSource)
                                       : tokensProblem_;
        statusLabel_->setText(fetchNote_.isEmpty() ? loaded : loaded + "\n" + fetchNote_);
        fetchNote_.clear();
        state_->setJobStatus(tr("Dataset loaded: %1 entries").arg(count(int64_t(content_->dataset.entries.size()))));
        return;
    }
    if (cancelled)
        return;
    statusLabel_->setText(tr("Could not open the dataset: %1").arg(error));
    state_->setJobStatus(tr("Could not open the dataset"));
    if (!content_ || content_->path != state_->datasetPath()) {
        content_.reset();
        tokens_.reset();
        model_->setRows(std::make_shared<const std::vector<EntryRow>>());
        placeholder_->setText(tr("%1 could not be opened:\n%2").arg(state_->datasetPath(), error));
        pages_->setCurrentIndex(0);
    }
}

void DataView::showContent(std::shared_ptr<const DatasetContent> content)
{
    content_ = std::move(content);
    tokens_.reset();
    tokensProblem_.clear();
    const Dataset& dataset = content_->dataset;
    model_->setRows(content_->rows);
    filter_->setSearch(content_->search);
    pathLabel_->setText(content_->path);
    trainCount_->setText(count(int64_t(content_->trainCount)));
    valCount_->setText(count(int64_t(content_->valCount)));
    testCount_->setText(count(int64_t(content_->testCount)));
    invalidEntries_->clear();
    for (const EntryProblem& problem : dataset.skipped)
        invalidEntries_->addItem(QString::fromStdString(problem.describe()));
    summaryTabs_->setTabText(1, tr("Invalid entries (%1)").arg(count(int64_t(dataset.skipped.size()))));
    warnings_->clear();
    for (const EntryProblem& problem : dataset.warnings)
        warnings_->addItem(QString::fromStdString(problem.describe()));
    summaryTabs_->setTabText(2, tr("Warnings (%1)").arg(count(int64_t(dataset.warnings.size()))));
    histogram_->clear();
    overMaxLength_->clear();
    pairBox_->setVisible(dataset.preferences);
    pages_->setCurrentIndex(1);
    showRowCount();
    if (filter_->rowCount() > 0)
        table_->setCurrentIndex(filter_->index(0, 0));
    showSelectedEntry();
}

void DataView::showTokens(std::shared_ptr<const TokenizedContent> tokens)
{
    if (!content_ || tokens->path != content_->path)
        return;
    tokens_ = std::move(tokens);
    tokensProblem_.clear();
    const auto longest = std::max_element(tokens_->lengths.begin(), tokens_->lengths.end());
    state_->setLongestExample(tokens_->path, tokens_->templateName, longest == tokens_->lengths.end() ? 0 : *longest);
    model_->setTokenCounts(tokens_->lengths);
    histogram_->setHistogram(tokens_->histogram);
    showMaxLength();
}

void DataView::showProgress(const QString& text, int64_t done, int64_t total)
{
    statusLabel_->setText(text);
    state_->setJobStatus(text);
    progress_->setRange(0, total > 0 ? 1000 : 0);
    progress_->setValue(total > 0 ? int(done * 1000 / total) : 0);
    progress_->show();
}

void DataView::showSelectedEntry()
{
    const QModelIndex current = table_->currentIndex();
    if (!content_ || !current.isValid()) {
        tokenView_->showMessage(tr("Select an entry to see its tokens."));
        entrySummary_->clear();
        return;
    }
    const int row = filter_->mapToSource(current).row();
    if (content_->dataset.preferences) {
        const Entry& entry = content_->dataset.entries[size_t(row)];
        pair_->showTexts(QString::fromStdString(PromptTemplate::alpaca().prompt(entry)), entry.chosen, entry.rejected);
    }
    if (!tokens_) {
        tokenView_->showMessage(tokensProblem_.isEmpty() ? tr("Tokenizing…") : tokensProblem_);
        entrySummary_->clear();
        return;
    }
    CollateOptions options;
    options.allowedMaxLength = maxLength_->value();
    options.maskPrompt = maskPrompt_->isChecked();
    const Example& example = tokens_->examples[size_t(row)];
    const std::vector<RoledToken> tokens = tokenRoles(example, options, size_t(batchWidth_->value()));
    std::vector<QString> texts;
    texts.reserve(tokens.size());
    for (const RoledToken& token : tokens)
        texts.push_back(QString::fromStdString(tokens_->tokenizer.tokenBytes(int(token.id))));
    tokenView_->setTokens(tokens, texts);
    const EntryRow& entry = model_->row(row);
    entrySummary_->setText(tr("Entry %1 (%2): %3 tokens and the end-of-text target. %4 trained, %5 masked, "
                              "%6 padding, %7 cut off.")
                               .arg(entry.index)
                               .arg(DatasetTableModel::splitText(entry.split))
                               .arg(count(int64_t(example.ids.size())))
                               .arg(countRole(tokens, TokenRole::Trained))
                               .arg(countRole(tokens, TokenRole::Masked))
                               .arg(countRole(tokens, TokenRole::Padding))
                               .arg(countRole(tokens, TokenRole::CutOff)));
}

void DataView::showMaxLength()
{
    histogram_->setMaxLength(maxLength_->value());
    if (tokens_) {
        const int64_t longer = countLongerThan(tokens_->lengths, maxLength_->value());
        overMaxLength_->setText(
            longer == 0 ? tr("No entry is longer than the max length (%1 tokens); none is cut.")
                              .arg(count(maxLength_->value()))
                        : tr("%1 of %2 entries are longer than %3 tokens: their ends are cut off in training.")
                              .arg(count(longer), count(int64_t(tokens_->lengths.size())), count(maxLength_->value())));
    }
    showSelectedEntry();
}

void DataView::showRowCount()
{
    rowCount_->setText(tr("%1 of %2 entries").arg(count(filter_->rowCount()), count(model_->rowCount())));
}

void DataView::openDataset()
{
    const QString start = state_->datasetPath().isEmpty() ? QString() : QFileInfo(state_->datasetPath()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open dataset"), start,
                                                      tr("Datasets (*.json *.jsonl);;All files (*)"));
    if (!path.isEmpty())
        state_->setDatasetPath(path);
}

void DataView::fetchChapterDataset()
{
    fetchButton_->setEnabled(false);
    showProgress(tr("Getting the chapter-7 dataset…"), 0, 0);
    fetchJob_->start([this] {
        const auto onProgress = [this](const DownloadProgress& p) {
            fetchJob_->post([this, p] {
                showProgress(tr("Downloading the chapter-7 dataset: %1 of %2")
                                 .arg(QLocale().formattedDataSize(p.bytes),
                                      p.total >= 0 ? QLocale().formattedDataSize(p.total) : tr("unknown size")),
                             p.bytes, p.total);
            });
        };
        const auto onNote = [this](const std::string& line) {
            fetchJob_->post([this, line = QString::fromStdString(line)] { fetchNote_ = line; });
        };
        const QString path =
            QString::fromStdString(sft::fetchChapterDataset(onProgress, fetchJob_->control(), onNote));
        fetchJob_->post([this, path] { state_->setDatasetPath(path); });
    });
}

void DataView::askForPreferenceData()
{
    if (preferenceJob_->isRunning()) {
        preferenceJob_->cancel();
        return;
    }
    if (!content_)
        return;
    const QFileInfo data(content_->path);
    const QString suggested = data.absolutePath() + "/" + data.completeBaseName() + "-with-preference.json";
    const QString out = QFileDialog::getSaveFileName(this, tr("Save preference data as"), suggested,
                                                     tr("Datasets (*.json)"));
    if (!out.isEmpty())
        makePreferenceData(out);
}

bool DataView::makePreferenceData(const QString& outPath)
{
    if (!content_ || preferenceJob_->isRunning())
        return false;
    const RememberedJudge judge = rememberedJudge();
    PreferenceSettings settings;
    settings.dataPath = content_->path.toStdString();
    settings.outPath = outPath.toStdString();
    settings.model = judge.model;
    preferenceButton_->setText(tr("Stop making preference data"));
    showProgress(tr("Asking %1 for preference pairs…").arg(QString::fromStdString(judge.model)), 0, 0);
    return preferenceJob_->start([this, settings, server = judge.server] {
        const auto client = makeJudgeClient(server);
        PreferenceEvents events;
        events.progress = [this](int64_t done, int64_t total, const std::string&) {
            preferenceJob_->post([this, done, total] {
                showProgress(tr("Making preference data: %1 of %2 entries").arg(done).arg(total), done, total);
            });
        };
        makePreferences(*client, settings, events, preferenceJob_->control());
        preferenceJob_->post([this, out = QString::fromStdString(settings.outPath)] { state_->setDatasetPath(out); });
    });
}

void DataView::onFetchFinished(bool ok, bool cancelled, const QString& error)
{
    fetchButton_->setEnabled(true);
    if (ok || cancelled) {
        if (!loadJob_->isRunning())
            progress_->hide();
        return;
    }
    progress_->hide();
    statusLabel_->setText(tr("Could not get the chapter-7 dataset: %1").arg(error));
    state_->setJobStatus(tr("Could not get the chapter-7 dataset"));
}

} // namespace sft::ui
