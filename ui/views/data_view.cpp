#include "ui/views/data_view.h"

#include "core/data/batcher.h"
#include "core/data/prompt_template.h"
#include "core/data/token_roles.h"
#include "core/data/dataset_autosave.h"
#include "core/data/dataset_import.h"
#include "core/data/length_histogram.h"
#include "core/hub/chapter_dataset.h"
#include "core/judge/generate_data.h"
#include "core/judge/make_preferences.h"
#include "core/util/error.h"
#include "ui/workers/dataset_snapshot.h"
#include "ui/models/dataset_table_model.h"
#include "ui/models/entry_filter_model.h"
#include "ui/workers/job_runner.h"
#include "ui/charts/length_histogram_chart.h"
#include "ui/remembered_judge.h"
#include "ui/studio_state.h"
#include "ui/models/dataset_editor.h"
#include "ui/views/answer_detail.h"
#include "ui/views/duplicates_panel.h"
#include "ui/views/entry_editor.h"
#include "ui/views/generated_review_dialog.h"
#include "ui/views/import_dialog.h"
#include "ui/views/notice_bar.h"
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
#include <QInputDialog>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include <algorithm>

namespace sft::ui {

namespace {

constexpr int kDefaultMaxLength = 1024; // the chapter's allowed_max_length
constexpr int kLargestMaxLength = 1 << 20;

QString count(int64_t n) { return QLocale().toString(qlonglong(n)); }

// A file made from `path`, next to it: data.json -> data-alpaca.json.
QString besideFile(const QString& path, const QString& suffix)
{
    const QFileInfo file(path);
    return file.absolutePath() + "/" + file.completeBaseName() + suffix;
}

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

QToolButton* toolButton(const QString& icon, const QString& text, const QString& name, const QString& tip)
{
    auto* button = new QToolButton;
    button->setIcon(QIcon::fromTheme(icon));
    button->setText(text);
    button->setObjectName(name);
    button->setToolTip(tip);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    return button;
}

} // namespace

DataView::DataView(StudioState* state, QWidget* parent)
    : QWidget(parent),
      state_(state),
      editor_(new DatasetEditor(this)),
      loadJob_(new JobRunner(tr("Loading dataset"), state, this)),
      fileJob_(new JobRunner(tr("Importing or generating data"), state, this)),
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
    auto* left = new QSplitter(Qt::Vertical);
    left->addWidget(buildTable());
    entryEditor_ = new EntryEditor;
    entryEditor_->setObjectName("entryEditor");
    left->addWidget(entryEditor_);
    left->setStretchFactor(0, 3);
    left->setStretchFactor(1, 1);
    content->addWidget(left);
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

    notice_ = new NoticeBar;
    notice_->setObjectName("dataNotice");
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildToolbar());
    layout->addWidget(notice_);
    layout->addWidget(buildEditBar());
    layout->addWidget(buildOptions());
    layout->addWidget(pages_, 1);

    connect(editor_, &DatasetEditor::documentChanged, this, [this] {
        if (!adopting_)
            refreshFromEditor();
    });
    connect(editor_, &DatasetEditor::modifiedChanged, this, &DataView::showModified);
    connect(editor_, &DatasetEditor::changedOnDisk, this, &DataView::offerReloadFromDisk);
    connect(model_, &DatasetTableModel::textEdited, this, [this](int row, const QString& field, const QString& text) {
        if (content_ && editor_->hasDocument())
            editor_->setText(content_->dataset.entries[size_t(row)].index, field, text);
    });
    connect(entryEditor_, &EntryEditor::applyRequested, this,
            [this](size_t item, const std::vector<std::pair<QString, QString>>& texts) {
                if (editor_->hasDocument())
                    editor_->setTexts(item, texts);
            });
    connect(duplicates_, &DuplicatesPanel::removeRequested, this,
            [this](const std::vector<size_t>& items, const QString& what) { editor_->remove(items, what); });
    connect(duplicates_, &DuplicatesPanel::entryPicked, this, [this](size_t item) { selectEntry(item); });
    connect(histogram_, &LengthHistogramChart::rangePicked, this, [this](int64_t first, int64_t last) {
        minTokens_->setValue(int(first));
        maxTokens_->setValue(int(last));
    });
    connect(fileJob_, &JobRunner::finished, this, [this](bool ok, bool cancelled, const QString& error) {
        progress_->hide();
        if (cancelled)
            statusLabel_->setText(tr("Stopped; what was made so far is kept in the journal beside the file"));
        else if (!ok)
            statusLabel_->setText(tr("Could not finish: %1").arg(error));
    });
    connect(loadJob_, &JobRunner::finished, this, &DataView::onLoadFinished);
    connect(fetchJob_, &JobRunner::finished, this, &DataView::onFetchFinished);
    connect(state_, &StudioState::datasetPathChanged, this, &DataView::reload);
    connect(state_, &StudioState::modelPathChanged, this, &DataView::reload);
    showModified();
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

// Editing: undo/redo, entries added, copied, deleted and moved, saving; and the data's other ways in
// and out (import, export, generation with a local model).
QWidget* DataView::buildEditBar()
{
    auto* undo = toolButton("edit-undo", tr("Undo"), "undoButton", tr("Undo the last edit (Ctrl+Z)"));
    auto* redo = toolButton("edit-redo", tr("Redo"), "redoButton", tr("Redo (Ctrl+Shift+Z)"));
    QAction* undoAction = editor_->undoStack()->createUndoAction(this);
    QAction* redoAction = editor_->undoStack()->createRedoAction(this);
    undoAction->setShortcut(QKeySequence::Undo);
    redoAction->setShortcut(QKeySequence::Redo);
    for (QAction* action : {undoAction, redoAction})
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(undoAction);
    addAction(redoAction);
    undo->setDefaultAction(undoAction);
    redo->setDefaultAction(redoAction);
    for (QToolButton* b : {undo, redo})
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto* add = toolButton("list-add", tr("Add"), "addEntryButton", tr("A new empty entry after the selected one"));
    auto* copy = toolButton("edit-copy", tr("Duplicate"), "duplicateEntryButton", tr("A copy of the selected entry"));
    auto* remove = toolButton("list-remove", tr("Delete"), "deleteEntryButton", tr("Delete the selected entry"));
    auto* up = toolButton("go-up", tr("Up"), "moveUpButton", tr("Move the selected entry up (the split follows the order)"));
    auto* down = toolButton("go-down", tr("Down"), "moveDownButton", tr("Move the selected entry down"));
    auto* saveButton = toolButton("document-save", tr("Save"), "saveButton",
                                  tr("Save the edits into the file, in its own form (Ctrl+S)"));
    auto* saveAsButton = toolButton("document-save-as", tr("Save as…"), "saveAsButton", tr("Save into another file"));
    auto* importButton = toolButton("document-import", tr("Import…"), "importButton",
                                    tr("ShareGPT or OpenAI messages conversations, CSV or TSV tables, as a new Alpaca file"));
    auto* exportButton = toolButton("document-export", tr("Export Alpaca JSON…"), "exportButton",
                                    tr("The valid entries as an Alpaca JSON list, as the chapter writes it"));
    auto* generateButton = toolButton("list-add", tr("Generate…"), "generateButton",
                                      tr("New entries from the judge model chosen in Evaluate, as the book's "
                                         "dataset-generation notebook makes them; you review them before they join"));
    connect(add, &QToolButton::clicked, this, [this] {
        if (!editor_->hasDocument())
            return;
        const std::optional<size_t> current = currentItem();
        const size_t at = current ? *current + 1 : editor_->document().size();
        selectAfterLoad_ = at;
        editor_->addEntry(at);
    });
    connect(copy, &QToolButton::clicked, this, [this] {
        if (const std::optional<size_t> current = currentItem()) {
            selectAfterLoad_ = *current + 1;
            editor_->duplicate(*current);
        }
    });
    connect(remove, &QToolButton::clicked, this, &DataView::removeSelected);
    connect(up, &QToolButton::clicked, this, [this] { moveSelected(-1); });
    connect(down, &QToolButton::clicked, this, [this] { moveSelected(1); });
    connect(saveButton, &QToolButton::clicked, this, &DataView::save);
    connect(saveAsButton, &QToolButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save dataset as"), editor_->path(),
                                                          tr("Datasets (*.json *.jsonl)"));
        if (!path.isEmpty())
            saveAs(path);
    });
    connect(importButton, &QToolButton::clicked, this, &DataView::askToImport);
    connect(exportButton, &QToolButton::clicked, this, &DataView::askToExport);
    connect(generateButton, &QToolButton::clicked, this, &DataView::askToGenerate);
    auto* saveShortcut = new QAction(this);
    saveShortcut->setShortcut(QKeySequence::Save);
    saveShortcut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(saveShortcut, &QAction::triggered, this, &DataView::save);
    addAction(saveShortcut);

    documentButtons_ = {add, copy, remove, up, down, saveButton, saveAsButton, exportButton, generateButton,
                        preferenceButton_};
    auto* bar = new QWidget;
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QToolButton* b : {undo, redo, add, copy, remove, up, down, saveButton, saveAsButton})
        layout->addWidget(b);
    layout->addStretch(1);
    for (QToolButton* b : {importButton, exportButton, generateButton})
        layout->addWidget(b);
    return bar;
}

QWidget* DataView::buildFilters()
{
    splitFilter_ = new QComboBox;
    splitFilter_->setObjectName("splitFilter");
    splitFilter_->addItem(tr("All splits"));
    splitFilter_->addItem(tr("Train"), int(SplitName::Train));
    splitFilter_->addItem(tr("Validation"), int(SplitName::Val));
    splitFilter_->addItem(tr("Test"), int(SplitName::Test));
    inputFilter_ = new QComboBox;
    inputFilter_->setObjectName("inputFilter");
    inputFilter_->addItem(tr("Any input"), int(EntryFilterModel::InputFilter::Any));
    inputFilter_->addItem(tr("With input"), int(EntryFilterModel::InputFilter::With));
    inputFilter_->addItem(tr("Without input"), int(EntryFilterModel::InputFilter::Without));
    warnedOnly_ = new QCheckBox(tr("Warnings only"));
    warnedOnly_->setObjectName("warnedOnly");
    minTokens_ = new QSpinBox;
    minTokens_->setObjectName("minTokens");
    maxTokens_ = new QSpinBox;
    maxTokens_->setObjectName("maxTokens");
    for (QSpinBox* spin : {minTokens_, maxTokens_})
        spin->setRange(0, kLargestMaxLength);
    maxTokens_->setSpecialValueText(tr("any"));
    maxTokens_->setToolTip(tr("Entries of this many tokens at most; click a bar of the histogram to pick its "
                              "lengths, shift-click another to widen"));
    auto* clear = new QToolButton;
    clear->setText(tr("Clear"));
    clear->setToolTip(tr("Show every entry: clears the search and the filters"));
    clear->setObjectName("clearFilters");
    connect(clear, &QToolButton::clicked, this, [this] {
        splitFilter_->setCurrentIndex(0);
        inputFilter_->setCurrentIndex(0);
        warnedOnly_->setChecked(false);
        minTokens_->setValue(0);
        maxTokens_->setValue(0);
        search_->clear();
    });
    connect(splitFilter_, &QComboBox::currentIndexChanged, this, &DataView::applyFilters);
    connect(inputFilter_, &QComboBox::currentIndexChanged, this, &DataView::applyFilters);
    connect(warnedOnly_, &QCheckBox::toggled, this, &DataView::applyFilters);
    connect(minTokens_, &QSpinBox::valueChanged, this, &DataView::applyFilters);
    connect(maxTokens_, &QSpinBox::valueChanged, this, &DataView::applyFilters);

    auto* rows = new QWidget;
    auto* layout = new QGridLayout(rows);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* which = new QHBoxLayout;
    which->addWidget(splitFilter_);
    which->addWidget(inputFilter_);
    which->addWidget(warnedOnly_);
    which->addStretch(1);
    auto* lengths = new QHBoxLayout;
    lengths->addWidget(new QLabel(tr("Tokens:")));
    lengths->addWidget(minTokens_);
    lengths->addWidget(new QLabel(QStringLiteral("–")));
    lengths->addWidget(maxTokens_);
    lengths->addStretch(1);
    lengths->addWidget(clear);
    layout->addLayout(which, 0, 0);
    layout->addLayout(lengths, 1, 0);
    return rows;
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
        showFilteredHistogram();
    });
    // Typed text in the entry editor goes into the entry it was typed for before another shows.
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        entryEditor_->apply();
        showSelectedEntry();
    });
    table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);

    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(search_);
    layout->addWidget(buildFilters());
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
    duplicates_ = new DuplicatesPanel(state_);
    duplicates_->setObjectName("duplicatesPanel");
    summaryTabs_->addTab(duplicates_, tr("Duplicates"));

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
    if (editor_->isModified() && editor_->path() != state_->datasetPath() && !confirmUnsavedEdits()) {
        // The user keeps editing the file they had: once every view has heard of the other one.
        QTimer::singleShot(0, this, [this, path = editor_->path()] { state_->setDatasetPath(path); });
        return;
    }
    if (loadJob_->isRunning()) {
        reloadPending_ = true;
        loadJob_->cancel();
        return;
    }
    startLoad();
}

void DataView::refreshFromEditor()
{
    // Saved on the way to another file, or under a new name: the state's change loads what shows.
    if (!editor_->hasDocument() || editor_->path() != state_->datasetPath())
        return;
    edited_ = std::make_shared<const DatasetDocument>(editor_->document());
    reload();
}

void DataView::startLoad()
{
    const QString path = state_->datasetPath();
    const QString templateName = templateCombo_->currentData().toString();
    const QString modelPath = state_->modelPath();
    // Saved under another name: the entries are the editor's, not a file to read again.
    if (!edited_ && editor_->hasDocument() && editor_->path() == path && content_ && content_->path != path)
        edited_ = std::make_shared<const DatasetDocument>(editor_->document());
    const std::shared_ptr<const DatasetDocument> edited = edited_;
    std::shared_ptr<const DatasetContent> have = !edited && content_ && content_->path == path ? content_ : nullptr;
    if (!have && !edited)
        showProgress(tr("Loading %1…").arg(QFileInfo(path).fileName()), 0, 0);
    loadJob_->start([this, path, templateName, modelPath, have, edited] {
        std::shared_ptr<const DatasetContent> content = have;
        if (edited) {
            content = documentContent(*edited);
            loadJob_->post([this, content, edited] {
                if (edited_ == edited)
                    edited_.reset();
                showContent(content);
            });
        } else if (!content) {
            content = loadDatasetContent(path);
            loadJob_->post([this, content] { adoptLoaded(content); });
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

// A file read from disk becomes the document being edited; edits a crash left behind are offered.
void DataView::adoptLoaded(std::shared_ptr<const DatasetContent> content)
{
    adopting_ = true;
    editor_->setDocument(*content->document);
    adopting_ = false;
    notice_->hide();
    showContent(content);
    if (content->autosave)
        offerAutosave(*content->autosave);
}

void DataView::offerAutosave(const AutosaveInfo& info)
{
    const QString name = QFileInfo(content_->path).fileName();
    const std::string path = content_->path.toStdString();
    if (!info.matchesFile) {
        notice_->showNotice(tr("Edits of %1 autosaved at %2 no longer fit the file, which changed since (or the "
                               "autosave is damaged); they are in %3.")
                                .arg(name, QString::fromStdString(info.savedAt), QString::fromStdString(info.path)),
                            {{tr("Discard them"), [path] { discardAutosave(path); }}, {tr("Keep the file"), [] {}}});
        return;
    }
    notice_->showNotice(tr("%1 has unsaved edits from %2 (%3 entries edited or new) that were autosaved before the "
                           "app ended. Restore them?")
                            .arg(name, QString::fromStdString(info.savedAt))
                            .arg(info.changed),
                        {{tr("Restore"),
                          [this, path] {
                              try {
                                  editor_->setDocument(restoreAutosave(path), true);
                                  statusLabel_->setText(tr("Autosaved edits restored; save to keep them in the file"));
                              } catch (const Error& e) {
                                  statusLabel_->setText(tr("Could not restore the edits: %1").arg(e.what()));
                              }
                          }},
                         {tr("Discard"), [path] { discardAutosave(path); }}});
}

void DataView::offerReloadFromDisk()
{
    const QString name = QFileInfo(editor_->path()).fileName();
    const auto reloadFile = [this] {
        editor_->discardEdits();
        content_.reset();
        reload();
    };
    if (!editor_->isModified()) {
        statusLabel_->setText(tr("%1 changed on disk; it was read again").arg(name));
        reloadFile();
        return;
    }
    notice_->showNotice(tr("%1 changed on disk (another program wrote it) while you have unsaved edits.").arg(name),
                        {{tr("Reload from disk (drop my edits)"), reloadFile},
                         {tr("Keep my edits (saving overwrites the file)"), [] {}}});
}

void DataView::showModified()
{
    for (QWidget* button : documentButtons_)
        button->setEnabled(editor_->hasDocument());
    const QString path = editor_->hasDocument() ? editor_->path() : state_->datasetPath();
    pathLabel_->setText(editor_->isModified() ? tr("%1 — modified, not saved").arg(path) : path);
}

void DataView::onLoadFinished(bool ok, bool cancelled, const QString& error)
{
    if (reloadPending_) {
        reloadPending_ = false;
        startLoad();
        return;
    }
    progress_->hide();
    if (const auto next = std::exchange(afterLoad_, nullptr); next && ok)
        next();
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
    const bool sameFile = content_ && content_->path == content->path;
    const std::optional<size_t> keep = selectAfterLoad_ ? std::exchange(selectAfterLoad_, std::nullopt)
                                       : sameFile       ? currentItem()
                                                        : std::nullopt;
    content_ = std::move(content);
    tokens_.reset();
    tokensProblem_.clear();
    const Dataset& dataset = content_->dataset;
    model_->setRows(content_->rows);
    filter_->setSearch(content_->search);
    duplicates_->setContent(content_);
    showModified();
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
    if (!(keep && selectEntry(*keep)) && filter_->rowCount() > 0)
        table_->setCurrentIndex(filter_->index(0, 0));
    showSelectedEntry();
}

std::optional<size_t> DataView::currentItem() const
{
    const QModelIndex current = table_->currentIndex();
    if (!content_ || !current.isValid())
        return std::nullopt;
    return content_->dataset.entries[size_t(filter_->mapToSource(current).row())].index;
}

bool DataView::selectEntry(size_t item)
{
    if (!content_)
        return false;
    const std::vector<Entry>& entries = content_->dataset.entries;
    // Entries are in file order; the first at or after the position, as after a deletion.
    const auto at = std::lower_bound(entries.begin(), entries.end(), item,
                                     [](const Entry& e, size_t position) { return e.index < position; });
    if (at == entries.end())
        return false;
    const QModelIndex source = model_->index(int(at - entries.begin()), DatasetTableModel::InstructionColumn);
    if (!filter_->mapFromSource(source).isValid()) {
        search_->clear();
        filter_->setFilters({});
        for (QComboBox* combo : {splitFilter_, inputFilter_})
            combo->setCurrentIndex(0);
        warnedOnly_->setChecked(false);
        minTokens_->setValue(0);
        maxTokens_->setValue(0);
    }
    const QModelIndex shown = filter_->mapFromSource(source);
    table_->setCurrentIndex(shown);
    table_->scrollTo(shown);
    return true;
}

void DataView::applyFilters()
{
    EntryFilterModel::Filters filters;
    if (splitFilter_->currentIndex() > 0)
        filters.split = SplitName(splitFilter_->currentData().toInt());
    filters.input = EntryFilterModel::InputFilter(inputFilter_->currentData().toInt());
    filters.warnedOnly = warnedOnly_->isChecked();
    filters.minTokens = minTokens_->value();
    filters.maxTokens = maxTokens_->value();
    filter_->setFilters(filters);
    showRowCount();
    showFilteredHistogram();
}

// The histogram counts what the table shows, so a filter's lengths can be read off it.
void DataView::showFilteredHistogram()
{
    if (!tokens_)
        return;
    if (filter_->rowCount() == model_->rowCount()) {
        histogram_->setHistogram(tokens_->histogram);
        return;
    }
    std::vector<int64_t> lengths;
    lengths.reserve(size_t(filter_->rowCount()));
    for (int r = 0; r < filter_->rowCount(); ++r)
        lengths.push_back(tokens_->lengths[size_t(filter_->mapToSource(filter_->index(r, 0)).row())]);
    histogram_->setHistogram(lengthHistogram(lengths));
}

void DataView::removeSelected()
{
    if (const std::optional<size_t> current = currentItem()) {
        selectAfterLoad_ = *current;
        editor_->remove({*current}, tr("Delete entry %1").arg(*current));
    }
}

void DataView::moveSelected(int by)
{
    const std::optional<size_t> current = currentItem();
    if (!current || !editor_->hasDocument())
        return;
    const int64_t to = int64_t(*current) + by;
    if (to < 0 || to >= int64_t(editor_->document().size()))
        return;
    selectAfterLoad_ = size_t(to);
    editor_->move(*current, size_t(to));
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
    filter_->tokensChanged();
    showRowCount();
    histogram_->setHistogram(tokens_->histogram);
    showFilteredHistogram();
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
        entryEditor_->showNothing();
        return;
    }
    const int row = filter_->mapToSource(current).row();
    const Entry& shown = content_->dataset.entries[size_t(row)];
    if (!entryEditor_->hasChanges())
        entryEditor_->showEntry(shown.index, shown);
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
    const QString out = QFileDialog::getSaveFileName(this, tr("Save preference data as"),
                                                     besideFile(content_->path, "-with-preference.json"),
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

bool DataView::openEntryLike(const QString& instruction, const QString& input, const QString& output, bool similar)
{
    if (loadJob_->isRunning() && !content_) {
        afterLoad_ = [=] { openEntryLike(instruction, input, output, similar); };
        return true;
    }
    if (!content_)
        return false;
    const std::string wanted[] = {instruction.toStdString(), input.toStdString(), output.toStdString()};
    const auto& entries = content_->dataset.entries;
    const auto found = std::find_if(entries.begin(), entries.end(), [&](const Entry& e) {
        return e.instruction == wanted[0] && e.input == wanted[1] && e.output == wanted[2];
    });
    if (found == entries.end()) {
        statusLabel_->setText(tr("This entry is not in %1: the answers were made from another dataset, or it was "
                                 "edited since").arg(QFileInfo(content_->path).fileName()));
        return false;
    }
    selectEntry(found->index);
    if (similar && editor_->hasDocument()) {
        selectAfterLoad_ = found->index + 1;
        editor_->duplicate(found->index);
    }
    return true;
}

bool DataView::confirmUnsavedEdits()
{
    entryEditor_->apply();
    if (!editor_->isModified())
        return true;
    const QString text = tr("%1 has edits that are not saved. Save them?").arg(QFileInfo(editor_->path()).fileName());
    const int answer = askUnsaved_ ? askUnsaved_(text)
                                   : QMessageBox::question(this, tr("Unsaved edits"), text,
                                                           QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                                           QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    if (answer == QMessageBox::Discard) {
        editor_->discardEdits();
        content_.reset();
        return true;
    }
    return false;
}

// Only Save As changes the file in use: Save is also how a switch to another file keeps the edits.
bool DataView::save() { return editor_->hasDocument() && writeTo(editor_->path()); }

bool DataView::saveAs(const QString& path)
{
    if (!editor_->hasDocument() || !writeTo(path))
        return false;
    state_->setDatasetPath(path);
    return true;
}

bool DataView::writeTo(const QString& path)
{
    entryEditor_->apply();
    QString error;
    if (!editor_->saveAs(path, &error)) {
        statusLabel_->setText(tr("Could not save: %1").arg(error));
        return false;
    }
    statusLabel_->setText(tr("Saved %1").arg(path));
    return true;
}

void DataView::askToImport()
{
    const QString in = QFileDialog::getOpenFileName(
        this, tr("Import data"), QFileInfo(state_->datasetPath()).absolutePath(),
        tr("Conversations and tables (*.json *.jsonl *.csv *.tsv);;All files (*)"));
    if (in.isEmpty())
        return;
    const std::optional<ImportOptions> options = askImportOptions(this, in);
    if (!options)
        return;
    const QString out = QFileDialog::getSaveFileName(this, tr("Save the imported entries as"),
                                                     besideFile(in, "-alpaca.json"), tr("Datasets (*.json)"));
    if (!out.isEmpty() && confirmUnsavedEdits())
        importData(in, out, *options);
}

bool DataView::importData(const QString& inPath, const QString& outPath, const ImportOptions& options)
{
    if (fileJob_->isRunning())
        return false;
    showProgress(tr("Importing %1…").arg(QFileInfo(inPath).fileName()), 0, 0);
    return fileJob_->start([this, in = inPath.toStdString(), out = outPath.toStdString(), options] {
        const ImportResult result = importDataset(in, options);
        DatasetDocument::fromItems(result.items).saveAs(out);
        QStringList notes;
        for (const std::string& note : result.notes)
            notes << QString::fromStdString(note);
        fileJob_->post([this, out = QString::fromStdString(out), n = result.items.size(), notes,
                        format = QString::fromUtf8(importFormatName(result.format).data())] {
            state_->setDatasetPath(out);
            fetchNote_ = tr("Imported %1 entries from %2 data. %3").arg(n).arg(format, notes.join(' '));
        });
    });
}

void DataView::askToExport()
{
    if (!content_)
        return;
    const QString out = QFileDialog::getSaveFileName(this, tr("Export as Alpaca JSON"),
                                                     besideFile(content_->path, "-alpaca.json"), tr("Datasets (*.json)"));
    if (!out.isEmpty())
        exportAlpaca(out);
}

bool DataView::exportAlpaca(const QString& outPath)
{
    if (!content_ || fileJob_->isRunning())
        return false;
    return fileJob_->start([this, content = content_, out = outPath.toStdString()] {
        std::vector<nlohmann::ordered_json> items;
        for (const Entry& entry : content->dataset.entries)
            items.push_back({{"instruction", entry.instruction}, {"input", entry.input}, {"output", entry.output}});
        DatasetDocument::fromItems(std::move(items)).saveAs(out);
        fileJob_->post([this, out = QString::fromStdString(out), n = content->dataset.entries.size()] {
            statusLabel_->setText(tr("Exported %1 entries to %2").arg(n).arg(out));
        });
    });
}

void DataView::askToGenerate()
{
    if (fileJob_->isRunning()) {
        fileJob_->cancel();
        return;
    }
    if (!content_ || !editor_->hasDocument())
        return;
    bool ok = false;
    const int n = QInputDialog::getInt(this, tr("Generate entries"),
                                       tr("How many new entries should %1 write? You review them before they join "
                                          "the dataset.")
                                           .arg(QString::fromStdString(rememberedJudge().model)),
                                       5, 1, 100000, 1, &ok);
    if (!ok)
        return;
    generateEntries(n, besideFile(content_->path, "-generated.json"));
}

bool DataView::generateEntries(int n, const QString& outPath)
{
    if (!content_ || fileJob_->isRunning())
        return false;
    const RememberedJudge judge = rememberedJudge();
    GenerationSettings settings;
    settings.outPath = outPath.toStdString();
    settings.count = size_t(n);
    settings.model = judge.model;
    if (judge.server.api != JudgeApi::Ollama)
        settings.examplesPath = content_->path.toStdString();
    showProgress(tr("Asking %1 for new entries…").arg(QString::fromStdString(judge.model)), 0, n);
    return fileJob_->start([this, settings, server = judge.server] {
        const auto client = makeJudgeClient(server);
        GenerationEvents events;
        events.progress = [this](int64_t done, int64_t total, const std::string&) {
            fileJob_->post([this, done, total] {
                showProgress(tr("Generating entries: %1 of %2").arg(done).arg(total), done, total);
            });
        };
        generateData(*client, settings, events, fileJob_->control());
        fileJob_->post([this, out = QString::fromStdString(settings.outPath)] { reviewGenerated(out); });
    });
}

// The generated entries join only as the user accepts them: one undo step, saved with the dataset.
void DataView::reviewGenerated(const QString& path)
{
    std::vector<nlohmann::ordered_json> items;
    try {
        const DatasetDocument generated = DatasetDocument::open(path.toStdString());
        for (const DocumentItem& item : generated.items())
            items.push_back({{"instruction", item.value.value("instruction", "")},
                             {"input", item.value.value("input", "")},
                             {"output", item.value.value("output", "")}});
    } catch (const Error& e) {
        statusLabel_->setText(tr("Could not read the generated entries: %1").arg(e.what()));
        return;
    }
    const size_t made = items.size();
    const std::vector<nlohmann::ordered_json> accepted =
        review_ ? review_(std::move(items)) : reviewGeneratedEntries(this, std::move(items));
    if (!editor_->hasDocument())
        return;
    selectAfterLoad_ = editor_->document().size();
    editor_->append(accepted, tr("Add %1 generated entries").arg(accepted.size()));
    statusLabel_->setText(tr("%1 of %2 generated entries added (they are also in %3); save to keep them")
                              .arg(accepted.size())
                              .arg(made)
                              .arg(path));
}

} // namespace sft::ui
