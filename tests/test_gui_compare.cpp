// The Compare view on two run folders written here by hand: four loss series with the point
// counts of each metrics.jsonl (a missing file gives empty curves, not an error), answers matched
// by instruction with their differences marked, exactly the settings that differ, and the judge's
// scores of both sides with their difference per entry.

#include "core/judge/judge_prompt.h"
#include "core/judge/scores_file.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"
#include "tests/support/widget_lookup.h"
#include "ui/views/compare_view.h"
#include "ui/views/diff_html.h"
#include "ui/scores_location.h"
#include "ui/studio_state.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QLabel>
#include <QLegend>
#include <QLineSeries>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextBrowser>
#include <QtTest>

#include <set>

using namespace sft::ui;

namespace {

void write(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

QByteArray metrics(int rows)
{
    QByteArray out;
    for (int i = 0; i < rows; ++i)
        out += QStringLiteral(R"({"epoch": 1, "step": %1, "tokens_seen": %2, "train_loss": %3, "val_loss": %4})")
                   .arg(i * 5)
                   .arg(i * 320)
                   .arg(3.0 - 0.2 * i)
                   .arg(3.1 - 0.15 * i)
                   .toUtf8() +
               "\n";
    return out;
}

// A scores file as `sft-studio score` writes it, for the answers in `responses`.
void writeScores(const QString& responses, const std::string& model, const std::vector<std::optional<double>>& scores)
{
    sft::ScoreSetup setup;
    setup.responsesPath = responses.toStdString();
    setup.responsesSha256 = sft::sha256OfFile(setup.responsesPath);
    setup.responseKey = "model_response";
    setup.entries = scores.size();
    setup.api = "ollama";
    setup.model = model;
    setup.promptName = "chapter";
    setup.promptText = sft::JudgePrompt::chapter().text();
    const QString out = scoresPathFor(responses, "model_response", QString::fromStdString(model), "chapter");
    sft::ScoresFile file(out.toStdString(), setup, false);
    for (size_t i = 0; i < scores.size(); ++i) {
        sft::EntryScore e;
        e.index = i;
        e.status = scores[i] ? sft::ScoreStatus::Scored : sft::ScoreStatus::Unparseable;
        e.score = scores[i];
        e.samples = {scores[i] ? std::optional<int>(int(*scores[i])) : std::nullopt};
        e.replies = {"{}"};
        e.attempts = 1;
        file.record(e);
    }
    file.writeResult(nlohmann::json::object());
}

QStringList addedWords(const QTextBrowser* pane)
{
    QStringList words;
    for (QTextBlock block = pane->document()->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (it.fragment().charFormat().background().color() == addedBackground())
                words << it.fragment().text();
    return words;
}

} // namespace

class TestGuiCompare : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString runA_, runB_, runC_;

    template <class T>
    static T* get(CompareView& view, const char* name)
    {
        return sft::test::namedChild<T>(&view, name);
    }

    static QList<int> pointCounts(CompareView& view)
    {
        QList<int> counts;
        for (QAbstractSeries* series : get<QChartView>(view, "lossChart")->chart()->series())
            counts << int(static_cast<QLineSeries*>(series)->count());
        return counts;
    }

private Q_SLOTS:
    void initTestCase()
    {
        runA_ = dir_.filePath("run-a");
        runB_ = dir_.filePath("run-b");
        runC_ = dir_.filePath("run-c");
        write(runA_ + "/run.json", R"({"status": "finished", "model": {"source": "gpt2-small"},
            "options": {"epochs": 2, "learning_rate": 5e-05, "betas": [0.9, 0.999], "template": "alpaca"}})");
        write(runB_ + "/run.json", R"({"status": "finished", "model": {"source": "gpt2-small"},
            "options": {"epochs": 3, "learning_rate": 0.0001, "betas": [0.9, 0.999], "template": "alpaca"},
            "checkpoint": "final"})");
        write(runC_ + "/run.json", R"({"status": "running"})");
        write(runA_ + "/metrics.jsonl", metrics(3));
        write(runB_ + "/metrics.jsonl", metrics(5));
        write(runA_ + "/responses-final.json", R"([
            {"instruction": "Name a fruit.", "input": "", "output": "Apple.", "model_response": "An apple."},
            {"instruction": "Only A has this.", "input": "", "output": "x", "model_response": "x"},
            {"instruction": "Add the numbers.", "input": "2 3", "output": "5", "model_response": "It is 5."}])");
        write(runA_ + "/responses-step-000005.json", R"([
            {"instruction": "Name a fruit.", "input": "", "output": "Apple.", "model_response": "Fruit."}])");
        write(runB_ + "/responses-final.json", R"([
            {"instruction": "Add the numbers.", "input": "2 3", "output": "5", "model_response": "It is 5."},
            {"instruction": "Name a fruit.", "input": "", "output": "Apple.", "model_response": "A red apple."}])");
    }

    void lossCurvesOfBothRunsOverlaid()
    {
        StudioState state;
        CompareView view(&state);
        view.setRuns(runA_, runB_);
        QCOMPARE(pointCounts(view), QList<int>({3, 3, 5, 5}));
        const auto series = get<QChartView>(view, "lossChart")->chart()->series();
        QCOMPARE(series[0]->name(), QString("A (run-a) training"));
        QCOMPARE(series[3]->name(), QString("B (run-b) validation"));
        QCOMPARE(static_cast<QLineSeries*>(series[2])->at(4), QPointF(20, 3.0 - 0.8));
        QVERIFY(get<QLabel>(view, "statusLabel")->text().isEmpty());
    }

    void aRunWithoutMetricsHasEmptyCurves()
    {
        StudioState state;
        CompareView view(&state);
        view.setRuns(runA_, runC_);
        QCOMPARE(pointCounts(view), QList<int>({3, 3, 0, 0}));
        QVERIFY(get<QLabel>(view, "statusLabel")->text().isEmpty());
    }

    // Three runs: three pairs of curves, a colour per run, training solid and validation dashed
    // as the legend draws them; x by tokens seen and by epoch (run.json's steps per epoch); one
    // settings column per run, each value that differs from A's marked.
    void threeRunsDrawThreePairsOfCurves()
    {
        const QString runF = dir_.filePath("run-f");
        write(runF + "/run.json", R"({"status": "finished", "model": {"source": "gpt2-small"}, "steps_per_epoch": 10,
            "options": {"epochs": 2, "learning_rate": 0.0003, "betas": [0.9, 0.999], "template": "alpaca"}})");
        write(runF + "/metrics.jsonl", metrics(4));
        StudioState state;
        CompareView view(&state);
        view.compareRuns({runA_, runB_, runF});
        QCOMPARE(pointCounts(view), QList<int>({3, 3, 5, 5, 4, 4}));
        QChart* chart = get<QChartView>(view, "lossChart")->chart();
        const auto series = chart->series();
        QCOMPARE(series[4]->name(), QString("C (run-f) training"));
        std::set<QRgb> colours;
        for (int run = 0; run < 3; ++run) {
            const QPen train = static_cast<QLineSeries*>(series[2 * run])->pen();
            const QPen val = static_cast<QLineSeries*>(series[2 * run + 1])->pen();
            QCOMPARE(train.color(), val.color());
            QCOMPARE(train.style(), Qt::SolidLine);
            QCOMPARE(val.style(), Qt::DashLine);
            colours.insert(train.color().rgb());
        }
        QCOMPARE(int(colours.size()), 3);
        QCOMPARE(chart->legend()->markerShape(), QLegend::MarkerShapeFromSeries);
        QVERIFY(get<QLabel>(view, "otherRuns")->text().contains("C: run-f"));

        get<QComboBox>(view, "xAxis")->setCurrentIndex(1);
        QCOMPARE(static_cast<QLineSeries*>(chart->series()[4])->at(3).x(), 960.0);
        get<QComboBox>(view, "xAxis")->setCurrentIndex(2);
        QCOMPARE(static_cast<QLineSeries*>(chart->series()[4])->at(3).x(), 1.6); // step 15: 16 of 10 per epoch
        QCOMPARE(static_cast<QLineSeries*>(chart->series()[0])->at(2).x(), 1.0); // no steps per epoch: the epoch

        auto* table = get<QTableWidget>(view, "settingsTable");
        QCOMPARE(table->columnCount(), 4);
        QStringList keys;
        for (int row = 0; row < table->rowCount(); ++row)
            keys << table->item(row, 0)->text();
        QCOMPARE(keys, QStringList({"checkpoint", "options.epochs", "options.learning_rate", "steps_per_epoch"}));
        const int lr = 2;
        QCOMPARE(table->item(lr, 3)->text(), QString("0.0003"));
        QCOMPARE(table->item(lr, 2)->background().color(), addedBackground());
        QCOMPARE(table->item(1, 3)->background().style(), Qt::NoBrush); // epochs 2, as A's
        QVERIFY(get<QLabel>(view, "settingsSummary")->text().contains("the 3 runs"));
    }

    void settingsShowExactlyTheDifferences()
    {
        StudioState state;
        CompareView view(&state);
        view.setRuns(runA_, runB_);
        auto* table = get<QTableWidget>(view, "settingsTable");
        QStringList keys;
        for (int row = 0; row < table->rowCount(); ++row)
            keys << table->item(row, 0)->text();
        QCOMPARE(keys, QStringList({"checkpoint", "options.epochs", "options.learning_rate"}));
        QCOMPARE(table->item(0, 1)->text(), QString("(not set)"));
        QCOMPARE(table->item(0, 2)->text(), QString("final"));
        QCOMPARE(table->item(1, 1)->text(), QString("2"));
        QCOMPARE(table->item(1, 2)->text(), QString("3"));
    }

    void answersMatchedByInstructionWithDifferencesMarked()
    {
        StudioState state;
        CompareView view(&state);
        view.setRuns(runA_, runB_);
        auto* table = get<QTableWidget>(view, "answersTable");
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, 0)->text(), QString("Name a fruit."));
        QCOMPARE(table->item(0, 1)->text(), QString("An apple."));
        QCOMPARE(table->item(0, 2)->text(), QString("A red apple."));
        QCOMPARE(table->item(1, 2)->text(), QString("It is 5."));
        QVERIFY(get<QLabel>(view, "answersSummary")->text().contains("1 only in A, 0 only in B"));
        table->setCurrentCell(0, 0);
        QCOMPARE(addedWords(get<QTextBrowser>(view, "rightText")), QStringList({"A red"}));
        QVERIFY(get<QTextBrowser>(view, "instructionText")->toPlainText().contains("Reference answer:\nApple."));
    }

    // The notebook's closing comparison: an SFT run and its DPO continuation, their answers side
    // by side with both judge scores; the settings name the method, beta and the reference.
    void sftAgainstItsDpoContinuation()
    {
        const QString sft = dir_.filePath("run-sft"), dpo = dir_.filePath("run-dpo");
        write(sft + "/run.json", R"({"status": "finished", "model": {"source": "gpt2-small"}, "method": "sft",
            "options": {"method": "sft", "epochs": 2, "learning_rate": 5e-05, "dpo_beta": 0.1}})");
        write(dpo + "/run.json", (R"({"status": "finished", "model": {"source": ")" + sft +
                                  R"(/checkpoints/final"}, "method": "dpo", "dpo": {"beta": 0.1, "reference": ")" + sft +
                                  R"(/checkpoints/final"}, "options": {"method": "dpo", "epochs": 1,
                                  "learning_rate": 5e-06, "dpo_beta": 0.1}})").toUtf8());
        write(sft + "/metrics.jsonl", metrics(3));
        write(dpo + "/metrics.jsonl", R"({"epoch": 1, "step": 0, "tokens_seen": 600, "train_loss": 0.692, "val_loss": 0.693, "train_chosen_reward": -0.01, "train_rejected_reward": -0.03, "train_reward_margin": 0.02, "val_chosen_reward": -0.02, "val_rejected_reward": -0.03, "val_reward_margin": 0.01}
)");
        write(sft + "/responses-final.json", R"([
            {"instruction": "Tell me a joke.", "input": "", "output": "Why ...", "model_response": "No."}])");
        write(dpo + "/responses-final.json", R"([
            {"instruction": "Tell me a joke.", "input": "", "output": "Why ...", "model_response": "Gladly: why ..."}])");
        writeScores(sft + "/responses-final.json", "llama3", {20});
        writeScores(dpo + "/responses-final.json", "llama3", {65});

        StudioState state;
        CompareView view(&state);
        view.setRuns(sft, dpo);
        auto* table = get<QTableWidget>(view, "answersTable");
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(table->item(0, 1)->text(), QString("No."));
        QCOMPARE(table->item(0, 2)->text(), QString("Gladly: why ..."));
        QCOMPARE(table->item(0, 3)->data(Qt::DisplayRole).toDouble(), 20.0);
        QCOMPARE(table->item(0, 4)->data(Qt::DisplayRole).toDouble(), 65.0);
        QCOMPARE(table->item(0, 5)->data(Qt::DisplayRole).toDouble(), 45.0);
        QCOMPARE(pointCounts(view), QList<int>({3, 3, 1, 1}));
        auto* settings = get<QTableWidget>(view, "settingsTable");
        QStringList keys;
        for (int row = 0; row < settings->rowCount(); ++row)
            keys << settings->item(row, 0)->text();
        for (const char* key : {"method", "dpo.reference", "options.method", "options.learning_rate"})
            QVERIFY2(keys.contains(key), qPrintable(keys.join(", ")));
        QCOMPARE(settings->item(int(keys.indexOf("method")), 2)->text(), QString("dpo"));
    }

    void aCheckpointChoosesItsAnswers()
    {
        StudioState state;
        CompareView view(&state);
        view.setRuns(runA_ + "/checkpoints/step-000005", runB_);
        QCOMPARE(get<QComboBox>(view, "responsesComboA")->currentText(), QString("responses-step-000005.json"));
        QCOMPARE(pointCounts(view), QList<int>({3, 3, 5, 5}));
        auto* table = get<QTableWidget>(view, "answersTable");
        QCOMPARE(table->rowCount(), 1);
        QCOMPARE(table->item(0, 1)->text(), QString("Fruit."));
    }

    void scoresOfBothSidesAndTheirDifferencePerEntry()
    {
        const QString runD = dir_.filePath("run-d"), runE = dir_.filePath("run-e");
        write(runD + "/run.json", R"({"status": "finished"})");
        write(runE + "/run.json", R"({"status": "finished"})");
        write(runD + "/responses-final.json", R"([
            {"instruction": "Name a fruit.", "input": "", "output": "Apple.", "model_response": "Pear."},
            {"instruction": "Add the numbers.", "input": "2 3", "output": "5", "model_response": "6"},
            {"instruction": "Only D has this.", "input": "", "output": "x", "model_response": "x"}])");
        write(runE + "/responses-final.json", R"([
            {"instruction": "Add the numbers.", "input": "2 3", "output": "5", "model_response": "5"},
            {"instruction": "Name a fruit.", "input": "", "output": "Apple.", "model_response": "An apple."}])");
        writeScores(runD + "/responses-final.json", "llama3", {40, 70, 10});
        writeScores(runE + "/responses-final.json", "llama3", {90, 55});
        QTest::qWait(1100); // a newer file, listed first: the choice must go by judge, not by age
        writeScores(runE + "/responses-final.json", "phi3", {10, std::nullopt});

        StudioState state;
        CompareView view(&state);
        view.setRuns(runD, runE);
        auto* scoresB = get<QComboBox>(view, "scoresComboB");
        QCOMPARE(scoresB->count(), 2);
        QCOMPARE(scoresB->itemText(0), QString("scores-final-phi3-chapter.json"));
        QCOMPARE(scoresB->currentText(), QString("scores-final-llama3-chapter.json"));
        auto* table = get<QTableWidget>(view, "answersTable");
        QCOMPARE(table->rowCount(), 2);
        const auto number = [&](int row, int column) { return table->item(row, column)->data(Qt::DisplayRole); };
        QCOMPARE(table->item(0, 0)->text(), QString("Name a fruit."));
        QCOMPARE(number(0, 3).toDouble(), 40.0);
        QCOMPARE(number(0, 4).toDouble(), 55.0);
        QCOMPARE(number(0, 5).toDouble(), 15.0);
        QCOMPARE(number(1, 3).toDouble(), 70.0);
        QCOMPARE(number(1, 4).toDouble(), 90.0);
        QCOMPARE(number(1, 5).toDouble(), 20.0);
        const QString summary = get<QLabel>(view, "scoreSummary")->text();
        QVERIFY2(summary.contains("Mean score A 55.0, B 72.5. Entries scored on both sides: 2; on them B − A = +17.5"),
                 qPrintable(summary));
        QVERIFY2(summary.contains("B scores higher on 2, lower on 0, the same on 0."), qPrintable(summary));
        QVERIFY(!summary.contains("different judges"));

        table->sortItems(5, Qt::DescendingOrder);
        QCOMPARE(table->item(0, 0)->text(), QString("Add the numbers."));

        scoresB->setCurrentIndex(0);
        Q_EMIT scoresB->activated(0);
        QVERIFY(table->item(0, 4)->text().isEmpty() || table->item(1, 4)->text().isEmpty()); // phi3 could not score one
        const QString other = get<QLabel>(view, "scoreSummary")->text();
        QVERIFY2(other.contains("Entries scored on both sides: 1;") && other.contains("different judges"),
                 qPrintable(other));
    }
};

QTEST_MAIN(TestGuiCompare)
#include "test_gui_compare.moc"
