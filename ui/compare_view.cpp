#include "ui/compare_view.h"

#include "core/eval/answer_keys.h"
#include "core/eval/answer_pairs.h"
#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/train/settings_diff.h"
#include "core/util/error.h"
#include "ui/answer_detail.h"
#include "ui/runs_loss_chart.h"
#include "ui/named.h"
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

namespace sft::ui {

namespace {

const char* const kSideNames[] = {"A", "B"};

// A run folder as given, or the run holding a checkpoint (RUN/checkpoints/NAME) with the file
// of that checkpoint's answers.
struct Choice {
    QString run, responses;
};

Choice resolve(const QString& path)
{
    const QFileInfo info(QDir::cleanPath(path));
    const QFileInfo parent(info.path());
    if (!QFileInfo::exists(info.filePath() + "/run.json") && parent.fileName() == "checkpoints")
        return {parent.path(), QStringLiteral("responses-%1.json").arg(info.fileName())};
    return {info.filePath(), {}};
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

Responses loadAnswers(const QString& file)
{
    const std::vector<std::string> keys = answerKeys(loadDataset(file.toStdString()));
    if (keys.empty())
        throw FormatError(file.toStdString() + " holds no answers (no field such as model_response)");
    return loadResponses(file.toStdString(), keys.front());
}

} // namespace

CompareView::CompareView(StudioState* state, QWidget* parent)
    : QWidget(parent),
      state_(state),
      chart_(named(new RunsLossChart(this), "lossChart")),
      answers_(makeTable("answersTable", {tr("Instruction"), tr("A answer"), tr("B answer")}, this)),
      detail_(named(new AnswerDetail(tr("A answer"), tr("B answer"), this), "answerDetail")),
      answersSummary_(named(new QLabel(this), "answersSummary")),
      settings_(makeTable("settingsTable", {tr("Setting"), tr("A"), tr("B")}, this)),
      settingsSummary_(named(new QLabel(this), "settingsSummary")),
      status_(named(new QLabel(this), "statusLabel"))
{
    auto* chooser = new QHBoxLayout;
    chooser->addWidget(buildSide(0, tr("Run or checkpoint A:")), 1);
    chooser->addWidget(buildSide(1, tr("Run or checkpoint B:")), 1);

    for (int column : {0, 1})
        answers_->setColumnWidth(column, 320);
    auto* answersSplit = new QSplitter(Qt::Vertical, this);
    answersSplit->addWidget(answers_);
    answersSplit->addWidget(detail_);
    auto* answersTab = new QWidget(this);
    auto* answersLayout = new QVBoxLayout(answersTab);
    answersLayout->addWidget(answersSummary_);
    answersLayout->addWidget(answersSplit, 1);

    settings_->setColumnWidth(0, 260);
    settings_->setColumnWidth(1, 260);
    auto* settingsTab = new QWidget(this);
    auto* settingsLayout = new QVBoxLayout(settingsTab);
    settingsLayout->addWidget(settingsSummary_);
    settingsLayout->addWidget(settings_, 1);

    auto* tabs = named(new QTabWidget(this), "compareTabs");
    tabs->addTab(chart_, tr("Loss curves"));
    tabs->addTab(answersTab, tr("Answers"));
    tabs->addTab(settingsTab, tr("Settings"));

    status_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(chooser);
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
    auto* browse = new QPushButton(tr("Browse…"), box);
    auto* layout = new QGridLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(title, box), 0, 0, 1, 2);
    layout->addWidget(side.path, 1, 0);
    layout->addWidget(browse, 1, 1);
    layout->addWidget(new QLabel(tr("Answers:"), box), 2, 0, 1, 2);
    layout->addWidget(side.responses, 3, 0, 1, 2);

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
    connect(side.responses, &QComboBox::textActivated, this, &CompareView::showAnswers);
    return box;
}

void CompareView::setRuns(const QString& a, const QString& b)
{
    choose(0, a);
    choose(1, b);
    reload();
}

void CompareView::choose(size_t index, const QString& path)
{
    Side& side = sides_[index];
    const Choice choice = resolve(path);
    side.run = choice.run;
    side.path->setText(choice.run);
    side.responses->clear();
    side.responses->addItems(QDir(choice.run).entryList({"responses-*.json"}, QDir::Files, QDir::Name));
    for (const QString& preferred : {choice.responses, QStringLiteral("responses-final.json")}) {
        if (side.responses->findText(preferred) >= 0) {
            side.responses->setCurrentText(preferred);
            break;
        }
    }
}

void CompareView::reload()
{
    QStringList problems;
    showCurves(problems);
    showSettings(problems);
    showAnswers();
    status_->setText(problems.join('\n'));
}

void CompareView::showCurves(QStringList& problems)
{
    std::vector<RunCurve> curves;
    for (size_t i = 0; i < sides_.size(); ++i) {
        if (sides_[i].run.isEmpty())
            continue;
        try {
            curves.push_back({QStringLiteral("%1 (%2)").arg(kSideNames[i], QFileInfo(sides_[i].run).fileName()),
                              readEvalPoints(sides_[i].run.toStdString())});
        } catch (const std::exception& e) {
            problems << QStringLiteral("%1: %2").arg(kSideNames[i], QString::fromStdString(e.what()));
        }
    }
    chart_->setCurves(curves);
}

void CompareView::showSettings(QStringList& problems)
{
    settings_->setRowCount(0);
    settingsSummary_->clear();
    if (sides_[0].run.isEmpty() || sides_[1].run.isEmpty())
        return;
    std::vector<SettingDifference> differences;
    try {
        differences = diffSettings(RunDirectory::open(sides_[0].run.toStdString()).readRunJson(),
                                   RunDirectory::open(sides_[1].run.toStdString()).readRunJson());
    } catch (const std::exception& e) {
        problems << tr("Settings: %1").arg(QString::fromStdString(e.what()));
        return;
    }
    settings_->setRowCount(int(differences.size()));
    for (size_t row = 0; row < differences.size(); ++row) {
        const SettingDifference& d = differences[row];
        settings_->setItem(int(row), 0, cell(QString::fromStdString(d.key)));
        settings_->setItem(int(row), 1, cell(settingText(d.a)));
        settings_->setItem(int(row), 2, cell(settingText(d.b)));
    }
    settingsSummary_->setText(differences.empty()       ? tr("The two runs have the same settings.")
                              : differences.size() == 1 ? tr("1 setting differs; the others are the same.")
                                                        : tr("%1 settings differ; the others are the same.")
                                                              .arg(differences.size()));
}

void CompareView::showAnswers()
{
    answers_->setRowCount(0);
    detail_->clear();
    answersSummary_->clear();
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
    answers_->setRowCount(int(pairing.pairs.size()));
    int same = 0;
    for (size_t row = 0; row < pairing.pairs.size(); ++row) {
        const AnswerPair& p = pairing.pairs[row];
        QString asked = QString::fromStdString(p.instruction);
        if (!p.input.empty())
            asked += tr("\n\nInput:\n%1").arg(QString::fromStdString(p.input));
        asked += tr("\n\nReference answer:\n%1").arg(QString::fromStdString(p.reference));
        auto* instruction = cell(QString::fromStdString(p.instruction));
        instruction->setData(Qt::UserRole, asked);
        answers_->setItem(int(row), 0, instruction);
        answers_->setItem(int(row), 1, cell(QString::fromStdString(p.answerA)));
        answers_->setItem(int(row), 2, cell(QString::fromStdString(p.answerB)));
        same += p.answerA == p.answerB;
    }
    answersSummary_->setText(tr("%1 entries answered by both (%2 identically); %3 only in A, %4 only in B.")
                                 .arg(pairing.pairs.size())
                                 .arg(same)
                                 .arg(pairing.onlyInA)
                                 .arg(pairing.onlyInB));
    detail_->setTitles(tr("A: %1").arg(sides_[0].responses->currentText()),
                       tr("B: %1").arg(sides_[1].responses->currentText()));
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
