#include "ui/views/duplicates_panel.h"

#include "core/data/near_duplicates.h"
#include "ui/views/answer_detail.h"
#include "ui/workers/dataset_snapshot.h"
#include "ui/workers/job_runner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sft::ui {

namespace {

constexpr double kDefaultThreshold = 0.9;

QTableWidgetItem* cell(const QVariant& value)
{
    auto* item = new QTableWidgetItem;
    item->setData(Qt::DisplayRole, value);
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return item;
}

} // namespace

DuplicatesPanel::DuplicatesPanel(StudioState* state, QWidget* parent)
    : QWidget(parent), state_(state), job_(new JobRunner(tr("Finding duplicates"), state, this))
{
    field_ = new QComboBox;
    field_->setObjectName("duplicateField");
    for (const char* field : {"instruction", "input", "output", "all"})
        field_->addItem(QString::fromLatin1(field), QString::fromLatin1(field));
    field_->setToolTip(tr("Which text to compare; all: instruction, input and output in turn"));
    threshold_ = new QDoubleSpinBox;
    threshold_->setObjectName("duplicateThreshold");
    threshold_->setRange(0.01, 1.0);
    threshold_->setSingleStep(0.05);
    threshold_->setDecimals(2);
    threshold_->setValue(kDefaultThreshold);
    threshold_->setToolTip(tr("Pairs more similar than this (cosine of TF-IDF over character 1-3-grams; the "
                              "book's function defaults to 0.75)"));
    exact_ = new QCheckBox(tr("Exact only"));
    exact_->setObjectName("exactDuplicates");
    exact_->setToolTip(tr("The same text once spaces are normalised"));
    findButton_ = new QPushButton(tr("Find duplicates"));
    findButton_->setObjectName("findDuplicatesButton");
    connect(findButton_, &QPushButton::clicked, this, [this] {
        if (job_->isRunning())
            job_->cancel();
        else
            find();
    });
    connect(exact_, &QCheckBox::toggled, threshold_, &QWidget::setDisabled);

    table_ = new QTableWidget(0, 4);
    table_->setObjectName("duplicatePairs");
    table_->setHorizontalHeaderLabels({tr("Field"), tr("Entry"), tr("Entry"), tr("Similarity")});
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->setSortingEnabled(false);
    connect(table_, &QTableWidget::currentCellChanged, this, &DuplicatesPanel::showSelectedPair);
    detail_ = new AnswerDetail(tr("First"), tr("Second"));
    detail_->setObjectName("duplicatePair");

    removeFirst_ = new QPushButton(tr("Remove first"));
    removeFirst_->setObjectName("removeFirstButton");
    removeSecond_ = new QPushButton(tr("Remove second"));
    removeSecond_->setObjectName("removeSecondButton");
    bookRuleButton_ = new QPushButton(tr("Apply the book's rule"));
    bookRuleButton_->setObjectName("removeByBookRuleButton");
    bookRuleButton_->setToolTip(tr("Removes the second entry of each input or output pair, as the book's "
                                   "find-near-duplicates.py does; instruction pairs are only shown. One step, undoable"));
    connect(removeFirst_, &QPushButton::clicked, this, [this] { removeSide(false); });
    connect(removeSecond_, &QPushButton::clicked, this, [this] { removeSide(true); });
    connect(bookRuleButton_, &QPushButton::clicked, this, &DuplicatesPanel::removeByTheBooksRule);
    status_ = new QLabel(tr("Find entries that say nearly the same."));
    status_->setObjectName("duplicateStatus");
    status_->setWordWrap(true);

    // Two short rows rather than one long one: the panel shares the Data view's side column.
    auto* options = new QGridLayout;
    options->addWidget(new QLabel(tr("Field:")), 0, 0);
    options->addWidget(field_, 0, 1);
    options->addWidget(new QLabel(tr("Threshold:")), 0, 2);
    options->addWidget(threshold_, 0, 3);
    options->addWidget(exact_, 1, 1);
    options->addWidget(findButton_, 1, 3);
    options->setColumnStretch(4, 1);
    auto* actions = new QHBoxLayout;
    actions->addWidget(removeFirst_);
    actions->addWidget(removeSecond_);
    actions->addStretch(1);
    actions->addWidget(bookRuleButton_);
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(table_);
    split->addWidget(detail_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(options);
    layout->addWidget(status_);
    layout->addWidget(split, 1);
    layout->addLayout(actions);

    connect(job_, &JobRunner::finished, this, [this](bool ok, bool cancelled, const QString& error) {
        findButton_->setText(tr("Find duplicates"));
        if (cancelled)
            status_->setText(tr("Stopped."));
        else if (!ok)
            status_->setText(tr("Could not search: %1").arg(error));
    });
    showPairs(nullptr);
}

DuplicatesPanel::~DuplicatesPanel() = default;

void DuplicatesPanel::setContent(std::shared_ptr<const DatasetContent> content)
{
    const bool same = content_ && content && content_->document == content->document;
    content_ = std::move(content);
    if (!same && pairs_) {
        showPairs(nullptr);
        status_->setText(tr("The entries changed: find again to see their duplicates."));
    }
}

QString DuplicatesPanel::fieldChoice() const { return field_->currentData().toString(); }

int DuplicatesPanel::pairCount() const { return pairs_ ? int(pairs_->size()) : 0; }

bool DuplicatesPanel::find()
{
    if (!content_ || job_->isRunning())
        return false;
    findButton_->setText(tr("Stop"));
    status_->setText(tr("Comparing %1 entries…").arg(QLocale().toString(qlonglong(content_->dataset.entries.size()))));
    const std::string field = fieldChoice().toStdString();
    const double threshold = threshold_->value();
    const bool exact = exact_->isChecked();
    return job_->start([this, content = content_, field, threshold, exact] {
        const std::vector<Entry>& entries = content->dataset.entries;
        const auto progress = [this](int64_t done, int64_t total, const std::string&) {
            job_->post([this, done, total] { status_->setText(tr("Comparing: %1 of %2").arg(done).arg(total)); });
        };
        std::vector<NearDuplicatePair> pairs = exact ? findExactDuplicates(entries, field)
                                                     : findNearDuplicates(entries, field, threshold, job_->control(), progress);
        auto shared = std::make_shared<const std::vector<NearDuplicatePair>>(std::move(pairs));
        job_->post([this, shared] { showPairs(shared); });
    });
}

void DuplicatesPanel::showPairs(std::shared_ptr<const std::vector<NearDuplicatePair>> pairs)
{
    pairs_ = std::move(pairs);
    table_->setRowCount(0);
    detail_->clear();
    const int count = pairCount();
    table_->setRowCount(count);
    for (int r = 0; r < count; ++r) {
        const NearDuplicatePair& pair = (*pairs_)[size_t(r)];
        const std::vector<Entry>& entries = content_->dataset.entries;
        table_->setItem(r, 0, cell(QString::fromStdString(pair.field)));
        table_->setItem(r, 1, cell(qlonglong(entries[pair.i].index)));
        table_->setItem(r, 2, cell(qlonglong(entries[pair.j].index)));
        table_->setItem(r, 3, cell(QString::number(pair.similarity, 'f', 4)));
    }
    if (pairs_)
        status_->setText(count == 0 ? tr("No duplicates found.") : tr("%1 pairs found.").arg(count));
    removeFirst_->setEnabled(count > 0);
    removeSecond_->setEnabled(count > 0);
    bookRuleButton_->setEnabled(content_ != nullptr);
    if (count > 0)
        table_->setCurrentCell(0, 0);
}

void DuplicatesPanel::showSelectedPair()
{
    const int row = table_->currentRow();
    if (!pairs_ || row < 0 || row >= pairCount()) {
        detail_->clear();
        return;
    }
    const NearDuplicatePair& pair = (*pairs_)[size_t(row)];
    const Entry& first = content_->dataset.entries[pair.i];
    const Entry& second = content_->dataset.entries[pair.j];
    detail_->setTitles(tr("Entry %1").arg(first.index), tr("Entry %1").arg(second.index));
    detail_->showTexts(tr("%1, similarity %2").arg(QString::fromStdString(pair.field)).arg(pair.similarity, 0, 'f', 4),
                       duplicateSearchText(first, pair.field), duplicateSearchText(second, pair.field));
    Q_EMIT entryPicked(first.index);
}

void DuplicatesPanel::removeSide(bool second)
{
    const int row = table_->currentRow();
    if (!pairs_ || row < 0 || row >= pairCount())
        return;
    const NearDuplicatePair& pair = (*pairs_)[size_t(row)];
    const size_t item = content_->dataset.entries[second ? pair.j : pair.i].index;
    Q_EMIT removeRequested({item}, tr("Remove duplicate entry %1").arg(item));
}

bool DuplicatesPanel::removeByTheBooksRule()
{
    if (!content_ || job_->isRunning())
        return false;
    findButton_->setText(tr("Stop"));
    status_->setText(tr("Applying the book's rule…"));
    const std::string field = fieldChoice().toStdString();
    const double threshold = threshold_->value();
    const bool exact = exact_->isChecked();
    return job_->start([this, content = content_, field, threshold, exact] {
        const std::vector<Entry>& entries = content->dataset.entries;
        const NearDuplicateRemoval removal = exact ? removeExactDuplicates(entries, field)
                                                   : removeNearDuplicates(entries, field, threshold, job_->control());
        std::vector<size_t> items;
        for (size_t position : removal.removed)
            items.push_back(entries[position].index);
        job_->post([this, items, field] {
            status_->setText(items.empty() ? tr("Nothing to remove: no input or output pair above the threshold.")
                                           : tr("Removed %1 entries (undo brings them back).").arg(items.size()));
            if (!items.empty())
                Q_EMIT removeRequested(items, tr("Remove %1 duplicates (%2)").arg(items.size()).arg(QString::fromStdString(field)));
        });
    });
}

} // namespace sft::ui
