#include "ui/views/compare_view.h"

#include "core/generate/answer_keys.h"
#include "core/generate/answer_pairs.h"
#include "core/judge/score_stats.h"
#include "core/judge/scores_file.h"
#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/train/run_products.h"
#include "core/train/settings_diff.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "ui/views/answer_detail.h"
#include "ui/views/diff_html.h"
#include "ui/named.h"
#include "ui/charts/runs_loss_chart.h"
#include "ui/scores_location.h"
#include "ui/studio_state.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace sft::ui {

namespace {

const char* const kSideNames[] = {"A", "B"};

enum AnswerColumn { InstructionColumn, AnswerA, AnswerB, ScoreA, ScoreB, ScoreDelta };

// A run folder as given, or the run holding a checkpoint (RUN/checkpoints/NAME) with the file
// of that checkpoint's answers.
struct Choice {
    QString run, responses;
};

Choice resolve(const QString& path)
{
    const QString clean = QDir::cleanPath(path);
    if (const auto run = runOfCheckpoint(clean.toStdString()))
        return {QString::fromStdString(*run),
                QString::fromStdString(responsesFileName(QFileInfo(clean).fileName().toStdString()))};
    return {clean, {}};
}

QString settingText(const std::optional<nlohmann::json>& value)
{
    if (!value)
        return QObject::tr("(not set)");
    return QString::fromStdString(value->is_string() ? value->get<std::string>() : value->dump());
}

QTableWidgetItem* cell(const QString& full)
{
    auto* item = new QTableWidgetItem(QString(full).replace('\n', ' '));
    item->setData(Qt::UserRole, full);
    item->setToolTip(full);
    return item;
}

QTableWidget* makeTable(const QString& name, const QStringList& headers, QWidget* parent)
{
    auto* table = named(new QTableWidget(0, int(headers.size()), parent), name);
    table->setHorizontalHeaderLabels(headers);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setWordWrap(false);
    table->horizontalHeader()->setStretchLastSection(true);
    return table;
}

std::string answerKeyOf(const QString& file)
{
    const std::vector<std::string> keys = answerKeys(loadDataset(file.toStdString()));
    if (keys.empty())
        throw FormatError(file.toStdString() + " holds no answers (no field such as model_response)");
    return keys.front();
}

Responses loadAnswers(const QString& file)
{
    return loadResponses(file.toStdString(), answerKeyOf(file));
}

// Who judged, and how: scores of two sides are comparable only when this is the same.
QString judgeOf(const QString& scoresFile)
{
    if (scoresFile.isEmpty())
        return {};
    try {
        const ScoreSetup s = loadStoredScores(scoresFile.toStdString()).setup;
        return QString::fromStdString(s.model + "\n" + s.promptName + "\n" + sha256Hex(s.promptText));
    } catch (const std::exception&) {
        return {};
    }
}

// A number as display data, so the column sorts by value; empty when the entry has no score.
QTableWidgetItem* scoreCell(const std::optional<double>& value)
{
    auto* item = new QTableWidgetItem;
    if (value)
        item->setData(Qt::DisplayRole, *value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

QString signedNumber(double value, int decimals = 1)
{
    return (value > 0 ? QStringLiteral("+") : QString()) + QString::number(value, 'f', decimals);
}

} // namespace

CompareView::CompareView(StudioState* state, QWidget* parent)
    : QWidget(parent),
      state_(state),
      othersLabel_(named(new QLabel(this), "otherRuns")),
      chart_(named(new RunsLossChart(this), "lossChart")),
      answers_(makeTable("answersTable",
                         {tr("Instruction"), tr("A answer"), tr("B answer"), tr("A score"), tr("B score"), tr("B − A")},
                         this)),
      detail_(named(new AnswerDetail(tr("A answer"), tr("B answer"), this), "answerDetail")),
      answersSummary_(named(new QLabel(this), "answersSummary")),
      scoreSummary_(named(new QLabel(this), "scoreSummary")),
      settings_(makeTable("settingsTable", {tr("Setting"), tr("A"), tr("B")}, this)),
      settingsSummary_(named(new QLabel(this), "settingsSummary")),
      status_(named(new QLabel(this), "statusLabel"))
{
    auto* chooser = new QHBoxLayout;
    chooser->addWidget(buildSide(0, tr("Run or checkpoint A:")), 1);
    chooser->addWidget(buildSide(1, tr("Run or checkpoint B:")), 1);

    for (int column : {InstructionColumn, AnswerA, AnswerB})
        answers_->setColumnWidth(column, 300);
    for (int column : {ScoreA, ScoreB, ScoreDelta})
        answers_->setColumnWidth(column, 70);
    answers_->horizontalHeader()->setStretchLastSection(false);
    answers_->horizontalHeader()->setSectionResizeMode(AnswerB, QHeaderView::Stretch);
    scoreSummary_->setWordWrap(true);
    auto* answersSplit = new QSplitter(Qt::Vertical, this);
    answersSplit->addWidget(answers_);
    answersSplit->addWidget(detail_);
    auto* answersTab = new QWidget(this);
    auto* answersLayout = new QVBoxLayout(answersTab);
    answersLayout->addWidget(answersSummary_);
    answersLayout->addWidget(scoreSummary_);
    answersLayout->addWidget(answersSplit, 1);

    settings_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    auto* settingsTab = new QWidget(this);
    auto* settingsLayout = new QVBoxLayout(settingsTab);
    settingsLayout->addWidget(settingsSummary_);
    settingsLayout->addWidget(settings_, 1);

    auto* tabs = named(new QTabWidget(this), "compareTabs");
    tabs->addTab(buildChartTab(), tr("Loss curves"));
    tabs->addTab(answersTab, tr("Answers"));
    tabs->addTab(settingsTab, tr("Settings"));

    status_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(chooser);
    layout->addWidget(othersLabel_);
    layout->addWidget(status_);
    layout->addWidget(tabs, 1);

    connect(answers_, &QTableWidget::currentCellChanged, this, &CompareView::showSelectedPair);
    connect(state_, &StudioState::runPathChanged, this, [this](const QString& run) {
        if (sides_[0].run.isEmpty()) {
            choose(0, run);
            reload();
        }
    });
    if (!state_->runPath().isEmpty()) {
        choose(0, state_->runPath());
        reload();
    }
}

QWidget* CompareView::buildSide(size_t index, const QString& title)
{
    Side& side = sides_[index];
    auto* box = new QWidget(this);
    side.path = named(new QLineEdit(box), QStringLiteral("runEdit%1").arg(kSideNames[index]));
    side.path->setPlaceholderText(tr("A run folder, or a checkpoint folder in one"));
    side.responses = named(new QComboBox(box), QStringLiteral("responsesCombo%1").arg(kSideNames[index]));
    side.responses->setToolTip(tr("Which answers of the run to compare (its responses-*.json files)"));
    side.scores = named(new QComboBox(box), QStringLiteral("scoresCombo%1").arg(kSideNames[index]));
    side.scores->setToolTip(tr("The judge's scores of these answers (score them in Evaluate)"));
    auto* browse = new QPushButton(tr("Browse…"), box);
    auto* layout = new QGridLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(title, box), 0, 0, 1, 2);
    layout->addWidget(side.path, 1, 0);
    layout->addWidget(browse, 1, 1);
    layout->addWidget(new QLabel(tr("Answers:"), box), 2, 0, 1, 2);
    layout->addWidget(side.responses, 3, 0, 1, 2);
    layout->addWidget(new QLabel(tr("Scores:"), box), 4, 0, 1, 2);
    layout->addWidget(side.scores, 5, 0, 1, 2);

    connect(side.path, &QLineEdit::editingFinished, this, [this, index] {
        if (sides_[index].path->text() != sides_[index].run) {
            choose(index, sides_[index].path->text());
            reload();
        }
    });
    connect(browse, &QPushButton::clicked, this, [this, index] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a run or checkpoint folder"),
                                                              sides_[index].run);
        if (!dir.isEmpty()) {
            choose(index, dir);
            reload();
        }
    });
    connect(side.responses, &QComboBox::textActivated, this, [this, index] {
        listScores(index);
        showAnswers();
    });
    connect(side.scores, &QComboBox::activated, this, &CompareView::showAnswers);
    return box;
}

QWidget* CompareView::buildChartTab()
{
    auto* xAxis = named(new QComboBox(this), "xAxis");
    xAxis->addItems({tr("Steps"), tr("Tokens seen"), tr("Epochs")});
    connect(xAxis, &QComboBox::currentIndexChanged, this,
            [this](int i) { chart_->setXAxis(RunsLossChart::XAxis(i)); });
    auto* axisRow = new QHBoxLayout;
    axisRow->addStretch();
    axisRow->addWidget(new QLabel(tr("x axis:"), this));
    axisRow->addWidget(xAxis);
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    layout->addLayout(axisRow);
    layout->addWidget(chart_, 1);
    othersLabel_->setWordWrap(true);
    othersLabel_->setVisible(false);
    connect(othersLabel_, &QLabel::linkActivated, this, [this] {
        others_.clear();
        reload();
    });
    return tab;
}

void CompareView::setRuns(const QString& a, const QString& b)
{
    compareRuns({a, b});
}

void CompareView::compareRuns(const QStringList& runs)
{
    for (size_t i = 0; i < sides_.size(); ++i)
        choose(i, i < size_t(runs.size()) ? runs[qsizetype(i)] : QString());
    others_ = runs.mid(2);
    reload();
}

std::vector<std::pair<QString, QString>> CompareView::lettered() const
{
    QStringList all{sides_[0].run, sides_[1].run};
    all += others_;
    std::vector<std::pair<QString, QString>> runs;
    for (qsizetype i = 0; i < all.size(); ++i)
        if (!all[i].isEmpty())
            runs.emplace_back(QString(QChar(char16_t('A' + i % 26))), all[i]);
    return runs;
}

void CompareView::choose(size_t index, const QString& path)
{
    Side& side = sides_[index];
    const Choice choice = path.isEmpty() ? Choice{} : resolve(path);
    side.run = choice.run;
    side.path->setText(choice.run);
    side.responses->clear();
    side.responses->addItems(QDir(choice.run).entryList({QString(kResponsesPattern)}, QDir::Files, QDir::Name));
    for (const QString& preferred : {choice.responses, QString::fromStdString(responsesFileName("final"))}) {
        if (side.responses->findText(preferred) >= 0) {
            side.responses->setCurrentText(preferred);
            break;
        }
    }
    listScores(index);
}

// The scores files of the side's chosen answers; the one made by the same judge and prompt as
// the other side's is chosen, so the two columns are comparable.
void CompareView::listScores(size_t index)
{
    Side& side = sides_[index];
    side.scores->clear();
    const QString file = side.responses->currentText();
    QStringList found;
    if (!side.run.isEmpty() && !file.isEmpty()) {
        const QString path = QDir(side.run).filePath(file);
        try {
            found = scoresFilesFor(path, QString::fromStdString(answerKeyOf(path)));
        } catch (const std::exception&) {
            // showAnswers reports the unreadable answers file.
        }
    }
    for (const QString& path : found)
        side.scores->addItem(QFileInfo(path).fileName(), path);
    side.scores->setEnabled(!found.isEmpty());
    if (found.isEmpty()) {
        side.scores->addItem(tr("(not scored)"));
        return;
    }
    const QString otherJudge = judgeOf(sides_[1 - index].scores->currentData().toString());
    for (int i = 0; i < side.scores->count() && !otherJudge.isEmpty(); ++i)
        if (judgeOf(side.scores->itemData(i).toString()) == otherJudge) {
            side.scores->setCurrentIndex(i);
            break;
        }
}

void CompareView::reload()
{
    QStringList names;
    for (const auto& [letter, run] : lettered())
        if (letter > "B")
            names << QStringLiteral("%1: %2").arg(letter, QFileInfo(run).fileName());
    othersLabel_->setVisible(!names.isEmpty());
    othersLabel_->setText(tr("Also on the loss curves and in the settings: %1 (<a href=\"clear\">remove</a>)")
                              .arg(names.join(", ").toHtmlEscaped()));
    QStringList problems;
    showCurves(problems);
    showSettings(problems);
    showAnswers();
    status_->setText(problems.join('\n'));
}

void CompareView::showCurves(QStringList& problems)
{
    std::vector<RunCurve> curves;
    for (const auto& [letter, run] : lettered()) {
        try {
            const nlohmann::json record = RunDirectory::open(run.toStdString()).readRunJson();
            curves.push_back({QStringLiteral("%1 (%2)").arg(letter, QFileInfo(run).fileName()),
                              readEvalPoints(run.toStdString()), record.value("steps_per_epoch", int64_t(0))});
        } catch (const std::exception& e) {
            problems << QStringLiteral("%1: %2").arg(letter, QString::fromStdString(e.what()));
        }
    }
    chart_->setCurves(std::move(curves));
}

// One column per run; a value that differs from run A's is marked.
void CompareView::showSettings(QStringList& problems)
{
    settings_->setRowCount(0);
    settingsSummary_->clear();
    const auto runs = lettered();
    QStringList headers{tr("Setting")};
    std::vector<nlohmann::json> records;
    try {
        for (const auto& [letter, run] : runs) {
            headers << QStringLiteral("%1 (%2)").arg(letter, QFileInfo(run).fileName());
            records.push_back(RunDirectory::open(run.toStdString()).readRunJson());
        }
    } catch (const std::exception& e) {
        problems << tr("Settings: %1").arg(QString::fromStdString(e.what()));
        return;
    }
    settings_->setColumnCount(int(headers.size()));
    settings_->setHorizontalHeaderLabels(headers);
    if (records.size() < 2)
        return;
    const std::vector<SettingDifference> differences = diffSettings(records);
    settings_->setRowCount(int(differences.size()));
    for (size_t row = 0; row < differences.size(); ++row) {
        const SettingDifference& d = differences[row];
        settings_->setItem(int(row), 0, cell(QString::fromStdString(d.key)));
        for (size_t i = 0; i < d.values.size(); ++i) {
            QTableWidgetItem* value = cell(settingText(d.values[i]));
            if (i > 0 && d.values[i] != d.values[0])
                value->setBackground(addedBackground());
            settings_->setItem(int(row), int(i + 1), value);
        }
    }
    const QString among = records.size() == 2 ? tr("the two runs") : tr("the %1 runs").arg(records.size());
    settingsSummary_->setText(differences.empty()       ? tr("All settings are the same in %1.").arg(among)
                              : differences.size() == 1 ? tr("1 setting differs among %1; the others are the same.").arg(among)
                                                        : tr("%1 settings differ among %2; the others are the same.")
                                                              .arg(differences.size())
                                                              .arg(among));
}

void CompareView::showAnswers()
{
    answers_->setRowCount(0);
    detail_->clear();
    answersSummary_->clear();
    scoreSummary_->clear();
    std::array<QString, 2> files;
    for (size_t i = 0; i < sides_.size(); ++i) {
        if (sides_[i].run.isEmpty() || sides_[i].responses->currentText().isEmpty()) {
            answersSummary_->setText(tr("Generate answers in Evaluate for both runs to compare them here."));
            return;
        }
        files[i] = QDir(sides_[i].run).filePath(sides_[i].responses->currentText());
    }
    AnswerPairing pairing;
    try {
        pairing = pairAnswers(loadAnswers(files[0]), loadAnswers(files[1]));
    } catch (const std::exception& e) {
        answersSummary_->setText(QString::fromStdString(e.what()));
        return;
    }
    QStringList problems;
    const SideScores scores = loadScores(problems);
    fillAnswerRows(pairing, scores);
    showScoreSummary(pairing, scores);
    if (!problems.isEmpty())
        scoreSummary_->setText(problems.join('\n'));
    const auto same = std::count_if(pairing.pairs.begin(), pairing.pairs.end(),
                                    [](const AnswerPair& p) { return p.answerA == p.answerB; });
    answersSummary_->setText(tr("%1 entries answered by both (%2 identically); %3 only in A, %4 only in B.")
                                 .arg(pairing.pairs.size())
                                 .arg(same)
                                 .arg(pairing.onlyInA)
                                 .arg(pairing.onlyInB));
    detail_->setTitles(tr("A: %1").arg(sides_[0].responses->currentText()),
                       tr("B: %1").arg(sides_[1].responses->currentText()));
}

CompareView::SideScores CompareView::loadScores(QStringList& problems) const
{
    SideScores scores;
    for (size_t i = 0; i < sides_.size(); ++i) {
        const QString path = sides_[i].scores->currentData().toString();
        if (path.isEmpty())
            continue;
        try {
            for (const EntryScore& e : loadStoredScores(path.toStdString()).entries)
                scores[i].push_back(e.status == ScoreStatus::Scored ? e.score : std::nullopt);
        } catch (const std::exception& e) {
            problems << QStringLiteral("%1: %2").arg(kSideNames[i], QString::fromStdString(e.what()));
        }
    }
    return scores;
}

void CompareView::fillAnswerRows(const AnswerPairing& pairing, const SideScores& scores)
{
    const auto scoreAt = [&](size_t side, size_t index) {
        return index < scores[side].size() ? scores[side][index] : std::nullopt;
    };
    answers_->setSortingEnabled(false);
    answers_->setRowCount(int(pairing.pairs.size()));
    for (size_t row = 0; row < pairing.pairs.size(); ++row) {
        const AnswerPair& p = pairing.pairs[row];
        QString asked = QString::fromStdString(p.instruction);
        if (!p.input.empty())
            asked += tr("\n\nInput:\n%1").arg(QString::fromStdString(p.input));
        asked += tr("\n\nReference answer:\n%1").arg(QString::fromStdString(p.reference));
        auto* instruction = cell(QString::fromStdString(p.instruction));
        instruction->setData(Qt::UserRole, asked);
        const int r = int(row);
        answers_->setItem(r, InstructionColumn, instruction);
        answers_->setItem(r, AnswerA, cell(QString::fromStdString(p.answerA)));
        answers_->setItem(r, AnswerB, cell(QString::fromStdString(p.answerB)));
        const std::optional<double> a = scoreAt(0, p.indexA), b = scoreAt(1, p.indexB);
        answers_->setItem(r, ScoreA, scoreCell(a));
        answers_->setItem(r, ScoreB, scoreCell(b));
        answers_->setItem(r, ScoreDelta, scoreCell(a && b ? std::optional<double>(*b - *a) : std::nullopt));
    }
    answers_->setSortingEnabled(true);
    answers_->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
}

// The mean difference with a bootstrap interval over the entries both sides scored: whether B is
// better than A by more than the judge's noise.
void CompareView::showScoreSummary(const AnswerPairing& pairing, const SideScores& scores)
{
    if (scores[0].empty() || scores[1].empty()) {
        scoreSummary_->setText(tr("Score both answer files in Evaluate (with the same judge and prompt) to see the "
                                  "score of each entry and their difference here."));
        return;
    }
    std::vector<std::optional<double>> deltas;
    std::array<std::vector<std::optional<double>>, 2> paired;
    int better = 0, worse = 0;
    for (const AnswerPair& p : pairing.pairs) {
        const auto a = p.indexA < scores[0].size() ? scores[0][p.indexA] : std::nullopt;
        const auto b = p.indexB < scores[1].size() ? scores[1][p.indexB] : std::nullopt;
        paired[0].push_back(a);
        paired[1].push_back(b);
        if (!a || !b)
            continue;
        deltas.push_back(*b - *a);
        better += *b > *a;
        worse += *b < *a;
    }
    const ScoreStats d = scoreStats(deltas);
    if (d.scored == 0) {
        scoreSummary_->setText(tr("No entry is scored on both sides."));
        return;
    }
    const ScoreStats a = scoreStats(paired[0]), b = scoreStats(paired[1]);
    QString text = tr("Mean score A %1, B %2. Entries scored on both sides: %3; on them B − A = %4 (95% CI %5 to %6); "
                      "B scores higher on %7, lower on %8, the same on %9.")
                       .arg(QString::number(a.mean, 'f', 1), QString::number(b.mean, 'f', 1))
                       .arg(d.scored)
                       .arg(signedNumber(d.mean), signedNumber(d.ciLow), signedNumber(d.ciHigh))
                       .arg(better)
                       .arg(worse)
                       .arg(int(d.scored) - better - worse);
    if (judgeOf(sides_[0].scores->currentData().toString()) != judgeOf(sides_[1].scores->currentData().toString()))
        text += ' ' + tr("The two sides were scored by different judges or prompts, so their scores are not "
                         "directly comparable.");
    scoreSummary_->setText(text);
}

void CompareView::showSelectedPair()
{
    const int row = answers_->currentRow();
    if (row < 0 || !answers_->item(row, 0)) {
        detail_->clear();
        return;
    }
    auto text = [&](int column) { return answers_->item(row, column)->data(Qt::UserRole).toString(); };
    detail_->showTexts(text(0), text(1).toStdString(), text(2).toStdString());
}

} // namespace sft::ui
