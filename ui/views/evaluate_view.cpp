#include "ui/views/evaluate_view.h"

#include "core/generate/answer_keys.h"
#include "core/generate/generation_settings.h"
#include "core/generate/responses_file.h"
#include "core/train/run_products.h"
#include "ui/views/answer_detail.h"
#include "ui/workers/answer_worker.h"
#include "ui/workers/model_preloader.h"
#include "ui/views/checkpoint_picker.h"
#include "ui/views/judge_panel.h"
#include "ui/views/settings_form.h"
#include "ui/named.h"
#include "ui/models/responses_table_model.h"
#include "ui/run_setting.h"
#include "ui/studio_state.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace sft::ui {

namespace {

QString shownPath(const QString& path)
{
    return QDir::toNativeSeparators(QDir::cleanPath(path));
}

QString instructionText(const ResponseRow& row)
{
    return row.input.isEmpty() ? row.instruction : row.instruction + "\n\nInput:\n" + row.input;
}

} // namespace

EvaluateView::EvaluateView(StudioState* state, QWidget* parent)
    : QWidget(parent),
      state_(state),
      worker_(new AnswerWorker(state, this)),
      preloader_(new ModelPreloader(state, this)),
      rows_(new ResponsesTableModel(this)),
      sorted_(new QSortFilterProxyModel(this)),
      checkpoint_(named(new CheckpointPicker(state, {}, this), "checkpointPicker")),
      split_(named(new QComboBox(this), "splitCombo")),
      template_(named(new QComboBox(this), "templateCombo")),
      generation_(new SettingsForm(settingsWithFlags(generationSettings().infos(), {"max-new-tokens", "batch-size"}), this)),
      generate_(named(new QPushButton(tr("Generate answers"), this), "generateButton")),
      cancel_(named(new QPushButton(tr("Cancel"), this), "cancelButton")),
      open_(named(new QPushButton(tr("Open responses…"), this), "openButton")),
      answerKey_(named(new QComboBox(this), "answerKeyCombo")),
      progress_(named(new QProgressBar(this), "progressBar")),
      status_(named(new QLabel(this), "statusLabel")),
      modelState_(named(new QLabel(this), "modelStateLabel")),
      file_(named(new QLabel(this), "fileLabel")),
      table_(named(new QTableView(this), "responsesTable")),
      detail_(named(new AnswerDetail(tr("Reference answer"), tr("Model answer"), this), "answerDetail")),
      judge_(named(new JudgePanel(state, this), "judgePanel"))
{
    sorted_->setSourceModel(rows_);
    sorted_->setSortRole(ResponsesTableModel::SortRole);
    table_->setModel(sorted_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(-1, Qt::AscendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setWordWrap(false);
    // The three texts share the width (eliding, the whole text in the detail pane below); the
    // score keeps room for "100.0" and its header, so it is always in sight.
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Stretch);
    header->setSectionResizeMode(ResponsesTableModel::Score, QHeaderView::Fixed);
    table_->setColumnWidth(ResponsesTableModel::Score,
                           std::max(fontMetrics().horizontalAdvance("100.0"), fontMetrics().horizontalAdvance(tr("Score"))) +
                               4 * fontMetrics().averageCharWidth());

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(table_);
    splitter->addWidget(detail_);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(file_, 1);
    fileRow->addWidget(new QLabel(tr("Answer field:"), this));
    fileRow->addWidget(answerKey_);

    // From a poor score back to the data: the entry to fix, or one more example like it.
    auto* editEntry = named(new QPushButton(tr("Edit the reference in Data"), this), "editEntryButton");
    editEntry->setToolTip(tr("Opens this entry of the dataset in the Data view"));
    auto* addSimilar = named(new QPushButton(tr("Add a similar example"), this), "addSimilarButton");
    addSimilar->setToolTip(tr("Opens a copy of this entry in the Data view, after it, to rewrite into a new "
                              "example of what the model got wrong"));
    const auto requestEntry = [this](bool similar) {
        const QModelIndex index = sorted_->mapToSource(table_->currentIndex());
        if (!index.isValid())
            return;
        const ResponseRow& row = rows_->rowAt(index.row());
        Q_EMIT entryRequested(row.instruction, row.input, row.reference, similar);
    };
    connect(editEntry, &QPushButton::clicked, this, [requestEntry] { requestEntry(false); });
    connect(addSimilar, &QPushButton::clicked, this, [requestEntry] { requestEntry(true); });
    auto* entryRow = new QHBoxLayout;
    entryRow->addStretch(1);
    entryRow->addWidget(editEntry);
    entryRow->addWidget(addSimilar);

    auto* answers = new QWidget(this);
    auto* answersLayout = new QVBoxLayout(answers);
    answersLayout->setContentsMargins(0, 0, 0, 0);
    answersLayout->addLayout(fileRow);
    answersLayout->addWidget(splitter, 1);
    answersLayout->addLayout(entryRow);
    auto* sides = new QSplitter(Qt::Horizontal, this);
    sides->addWidget(answers);
    sides->addWidget(judge_);
    sides->setStretchFactor(0, 3);
    sides->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildControls());
    layout->addWidget(sides, 1);

    connect(generate_, &QPushButton::clicked, this, &EvaluateView::generateAnswers);
    connect(cancel_, &QPushButton::clicked, this, &EvaluateView::cancel);
    connect(open_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open responses"), state_->runPath(),
                                                          tr("Responses (*.json *.jsonl);;All files (*)"));
        if (!path.isEmpty())
            openResponses(path);
    });
    connect(answerKey_, &QComboBox::textActivated, this, &EvaluateView::showAnswerField);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &EvaluateView::showSelectedRow);
    connect(checkpoint_, &CheckpointPicker::pathChanged, this, &EvaluateView::showExistingAnswers);
    connect(checkpoint_, &CheckpointPicker::pathChanged, this, [this](const QString& path) {
        modelState_->clear();
        if (isVisible())
            preloader_->preload({path});
    });
    connect(preloader_, &ModelPreloader::statusChanged, modelState_, &QLabel::setText);
    connect(state_, &StudioState::runPathChanged, this, &EvaluateView::followRun);
    connect(judge_, &JudgePanel::scoresChanged, rows_, &ResponsesTableModel::setScores);

    connectWorker();

    setRunning(false);
    followRun();
}

void EvaluateView::connectWorker()
{
    connect(worker_, &AnswerWorker::loaded, this, [this](const std::vector<ResponseRow>& rows, int kept, int discarded) {
        rows_->setRows(rows);
        expectedRows_ = int(rows.size());
        answeredRows_ = 0;
        QString text = kept > 0 ? tr("Continuing: %1 of %2 answers were kept from the stopped run…").arg(kept).arg(rows.size())
                                : tr("Answering %1 entries…").arg(rows.size());
        if (discarded > 0)
            text += " " + tr("(%1 answers a stopped run made with other settings were discarded.)").arg(discarded);
        setStatus(text + notesText());
    });
    connect(worker_, &AnswerWorker::noted, this, [this](const QString& line) { notes_ << line; });
    connect(worker_, &AnswerWorker::answered, this, [this](const std::vector<int>& rows, const QStringList& answers) {
        rows_->setAnswers(rows, answers);
        answeredRows_ += int(rows.size());
        const QString text = tr("Answered %1 of %2").arg(answeredRows_).arg(expectedRows_);
        setStatus(text);
        state_->setJobStatus(tr("Evaluate: %1").arg(text));
    });
    connect(worker_, &AnswerWorker::progressed, this, [this](qint64 done, qint64 total) {
        progress_->setValue(int(done * 1000 / std::max<qint64>(1, total)));
    });
    connect(worker_, &AnswerWorker::written, this, [this](const QString& path, int answers) {
        shownFile_ = path;
        file_->setText(tr("Showing %1").arg(shownPath(path)));
        answerKey_->clear();
        answerKey_->addItem("model_response");
        judge_->setResponses(path, "model_response");
        setStatus(tr("Wrote %1 answers to %2").arg(answers).arg(shownPath(path)) + notesText());
    });
    connect(worker_, &AnswerWorker::finished, this, &EvaluateView::onFinished);
}

QWidget* EvaluateView::buildControls()
{
    split_->addItems({"test", "val", "train", "all"});
    template_->addItems({"alpaca", "phi3"});
    template_->setToolTip(tr("The prompt template the model was fine-tuned with (taken from the run when there is one)"));
    generate_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    generate_->setToolTip(tr("Answer every entry of the split and save the responses file (Ctrl+Return)"));
    progress_->setRange(0, 1000);
    progress_->setTextVisible(false);

    // Two rows, what to answer and how, so the view fits the default window (1280 px).
    auto* box = new QWidget(this);
    auto* rows = new QVBoxLayout(box);
    rows->setContentsMargins(0, 0, 0, 0);
    auto* what = new QHBoxLayout;
    what->addWidget(new QLabel(tr("Model:"), box));
    what->addWidget(checkpoint_, 1);
    what->addWidget(new QLabel(tr("Split:"), box));
    what->addWidget(split_);
    what->addWidget(new QLabel(tr("Template:"), box));
    what->addWidget(template_);
    what->addWidget(open_);
    auto* how = new QHBoxLayout;
    generation_->addFields(how, "");
    how->addStretch(1);
    how->addWidget(generate_);
    how->addWidget(cancel_);
    rows->addLayout(what);
    rows->addLayout(how);

    auto* outer = new QWidget(this);
    auto* column = new QVBoxLayout(outer);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(box);
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(progress_, 1);
    statusRow->addWidget(status_, 2);
    statusRow->addWidget(modelState_, 1);
    column->addLayout(statusRow);
    return outer;
}

bool EvaluateView::openResponses(const QString& path)
{
    std::vector<std::string> keys;
    try {
        keys = answerKeys(loadDataset(path.toStdString()));
    } catch (const std::exception& e) {
        setStatus(QString::fromStdString(e.what()));
        return false;
    }
    if (keys.empty()) {
        setStatus(tr("%1 holds no answers: no entry field besides instruction, input and output (such as "
                     "model_response). Generate answers first.")
                      .arg(shownPath(path)));
        return false;
    }
    shownFile_ = path;
    file_->setText(tr("Showing %1").arg(shownPath(path)));
    answerKey_->clear();
    for (const std::string& key : keys)
        answerKey_->addItem(QString::fromStdString(key));
    showAnswerField(answerKey_->currentText());
    return true;
}

void EvaluateView::showAnswerField(const QString& key)
{
    Responses responses;
    try {
        responses = loadResponses(shownFile_.toStdString(), key.toStdString());
    } catch (const std::exception& e) {
        setStatus(QString::fromStdString(e.what()));
        return;
    }
    std::vector<ResponseRow> rows;
    for (size_t i = 0; i < responses.answers.size(); ++i) {
        const Entry& e = responses.dataset.entries[i];
        rows.push_back({QString::fromStdString(e.instruction), QString::fromStdString(e.input),
                        QString::fromStdString(e.output), QString::fromStdString(responses.answers[i]), std::nullopt});
    }
    rows_->setRows(std::move(rows));
    detail_->clear();
    setStatus(tr("%1 answers in field \"%2\"").arg(rows_->rowCount()).arg(key));
    judge_->setResponses(shownFile_, key);
}

void EvaluateView::showSelectedRow()
{
    const QModelIndex index = sorted_->mapToSource(table_->currentIndex());
    if (!index.isValid()) {
        detail_->clear();
        return;
    }
    const ResponseRow& row = rows_->rowAt(index.row());
    detail_->showTexts(instructionText(row), row.reference.toStdString(), row.answer.toStdString());
}

// When the chosen checkpoint already has answers in the run, they are what the user wants to see.
void EvaluateView::showExistingAnswers()
{
    if (worker_->isRunning() || state_->runPath().isEmpty() || checkpoint_->currentPath().isEmpty())
        return;
    const QString path = QDir(state_->runPath())
                             .filePath(QString::fromStdString(
                                 responsesFileName(CheckpointPicker::nameOf(checkpoint_->currentPath()).toStdString())));
    if (QFileInfo::exists(path) && path != shownFile_)
        openResponses(path);
}

void EvaluateView::followRun()
{
    selectRunTemplate(template_, state_->runPath());
    showExistingAnswers();
}

// responses-<checkpoint>.json in the run folder (the test split; another split is named too),
// else where the user says.
QString EvaluateView::outputPath(const QString& checkpoint)
{
    const QString name = QString::fromStdString(
        responsesFileName(CheckpointPicker::nameOf(checkpoint).toStdString(), split_->currentText().toStdString()));
    if (state_->runPath().isEmpty())
        return QFileDialog::getSaveFileName(this, tr("Save answers as"), name, tr("Responses (*.json)"));
    const QString path = QDir(state_->runPath()).filePath(name);
    if (QFileInfo::exists(path) &&
        QMessageBox::question(this, tr("Replace answers?"),
                              tr("%1 exists already. Generate the answers again and replace it?")
                                  .arg(shownPath(path))) != QMessageBox::Yes)
        return {};
    return path;
}

void EvaluateView::generateAnswers()
{
    if (worker_->isRunning())
        return;
    const QString model = checkpoint_->currentPath();
    QString dataset = state_->datasetPath();
    if (dataset.isEmpty())
        dataset = runSetting(state_->runPath(), "/dataset/path");
    if (model.isEmpty() || dataset.isEmpty()) {
        setStatus(model.isEmpty() ? tr("Choose a model: train a run, pick one in Models, or browse to a model folder.")
                                  : tr("Open a dataset first (File > Open dataset)."));
        return;
    }
    const QString out = outputPath(model);
    if (out.isEmpty())
        return;
    rows_->setRows({});
    detail_->clear();
    shownFile_.clear();
    judge_->setResponses({}, {});
    file_->setText(tr("Answers of %1, to be saved as %2").arg(CheckpointPicker::nameOf(model), shownPath(out)));
    answerKey_->clear();
    expectedRows_ = 0;
    answeredRows_ = 0;
    progress_->setValue(0);
    notes_.clear();
    setStatus(tr("Loading %1…").arg(CheckpointPicker::nameOf(model)));
    worker_->startAnswering({model, dataset, split_->currentText(), template_->currentText(), out,
                             generation_->values()});
    setRunning(true);
}

void EvaluateView::cancel()
{
    worker_->cancel();
}

void EvaluateView::onFinished(bool ok, bool cancelled, const QString& error)
{
    setRunning(false);
    state_->setJobStatus({});
    // The answers so far are in the journal beside the file to be written; the same settings reuse them.
    const QString kept = tr("Generate answers with the same settings continues from there.");
    if (cancelled && answeredRows_ == 0)
        setStatus(tr("Cancelled before the first answer; no file was written."));
    else if (cancelled)
        setStatus(tr("Cancelled after %1 of %2 answers. They are kept: %3").arg(answeredRows_).arg(expectedRows_).arg(kept));
    else if (!ok && answeredRows_ == 0)
        setStatus(tr("Generating answers failed: %1").arg(error));
    else if (!ok)
        setStatus(tr("Generating answers failed: %1\nThe %2 answers so far are kept: %3").arg(error).arg(answeredRows_).arg(kept));
}

void EvaluateView::setRunning(bool running)
{
    generate_->setEnabled(!running);
    cancel_->setEnabled(running);
    open_->setEnabled(!running);
    checkpoint_->setEnabled(!running);
    split_->setEnabled(!running);
    template_->setEnabled(!running);
    for (const char* key : {"/max_new_tokens", "/batch_size"})
        generation_->widget(key)->setEnabled(!running);
    answerKey_->setEnabled(!running);
    progress_->setVisible(running);
    judge_->setAnswersBusy(running);
}

QString EvaluateView::notesText() const
{
    constexpr int kShown = 3;
    if (notes_.isEmpty())
        return {};
    QString text = "\n" + notes_.mid(0, kShown).join("\n");
    if (notes_.size() > kShown)
        text += "\n" + tr("… and %1 more (sft-studio respond prints them all)").arg(notes_.size() - kShown);
    return text;
}

void EvaluateView::setStatus(const QString& text)
{
    status_->setText(text);
}

} // namespace sft::ui
