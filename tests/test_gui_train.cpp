// The Train view driven through its widgets: a tiny run started from the form fills the chart
// and reaches 100%, the event loop stays responsive meanwhile, Stop leaves a consistent run
// folder, a finished run reopened redraws its chart from disk, and closing the window during
// a run asks, then stops it with the run saved. The LoRA settings round-trip through the form
// and reach run.json, and the trainingPlan line counts what a run trains before it starts. A run
// of 2 processes draws its chart from rank 0's reports, cannot pause, and resumes in 2.

#include "core/io/config_file.h"
#include "core/io/model_folder.h"
#include "core/model/lora.h"
#include "core/model/threads.h"
#include "core/train/run_directory.h"
#include "core/train/run_library.h"
#include "core/train/run_metrics.h"
#include "core/train/train_options.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"
#include "tests/support/train_fixture.h"
#include "tests/support/setting_widgets.h"
#include "tests/support/widget_lookup.h"
#include "ui/charts/empty_chart.h"
#include "ui/charts/loss_chart.h"
#include "ui/charts/reward_chart.h"
#include "ui/views/data_view.h"
#include "ui/views/main_window.h"
#include "ui/models/runs_table_model.h"
#include "ui/views/export_dialog.h"
#include "ui/views/runs_view.h"
#include "ui/charts/step_chart.h"
#include "ui/studio_state.h"
#include "ui/views/train_view.h"
#include "ui/workers/train_worker.h"

#include <QApplication>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QToolButton>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QAbstractAxis>
#include <QChartView>
#include <QSettings>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace sft;
using namespace sft::ui;
using sft::test::namedChild;

namespace {

constexpr int kRunTimeoutMs = 300000;

// Largest gap between ticks of a 5 ms timer while it runs: how long the UI thread was busy.
class EventLoopProbe {
public:
    EventLoopProbe()
    {
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            maxGapMs_ = std::max(maxGapMs_, clock_.restart());
        });
        timer_.start(5);
        clock_.start();
    }
    qint64 maxGapMs() const { return maxGapMs_; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 maxGapMs_ = 0;
};

// The trainingPlan line's counts, as the form's locale writes them.
QString planCounts(int64_t trainable, int64_t total)
{
    return QStringLiteral("Trains %1 of %2 parameters")
        .arg(QLocale().toString(qlonglong(trainable)), QLocale().toString(qlonglong(total)));
}

QString dumped(const TrainOptions& options) { return QString::fromStdString(options.toJson().dump()); }

// The processes of a multi-process run are copies of sft-studio, which this test program is not.
[[nodiscard]] auto ranksRunStudio()
{
    qputenv("SFT_STUDIO_PROGRAM", SFT_BINARY);
    return qScopeGuard([] { qunsetenv("SFT_STUDIO_PROGRAM"); });
}

// While a run of several processes goes: Pause off, saying why (Ctrl+P does nothing either); Stop on.
void expectNoPause(TrainView& view)
{
    const auto* pause = namedChild<QPushButton>(&view, "pause");
    QVERIFY(!pause->isEnabled());
    QVERIFY2(pause->toolTip().contains("processes"), qPrintable(pause->toolTip()));
    QVERIFY(namedChild<QPushButton>(&view, "stop")->isEnabled());
    view.togglePause();
    QVERIFY(!view.worker()->isPaused());
}

} // namespace

class TestGuiTrain : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    QString model_, data_;

    void fillForm(TrainView& view, const QString& runDir, int maxSteps, int evalFreq)
    {
        namedChild<QLineEdit>(&view, "model")->setText(model_);
        namedChild<QLineEdit>(&view, "dataset")->setText(data_);
        namedChild<QLineEdit>(&view, "runDir")->setText(runDir);
        view.applyPreset(TrainView::Preset::QuickTest);
        namedChild<QSpinBox>(&view, "batchSize")->setValue(4);
        namedChild<QSpinBox>(&view, "maxSteps")->setValue(maxSteps);
        namedChild<QSpinBox>(&view, "evalFreq")->setValue(evalFreq);
        namedChild<QSpinBox>(&view, "evalIter")->setValue(1);
    }

    nlohmann::json runJson(const QString& runDir) { return RunDirectory::open(runDir.toStdString()).readRunJson(); }

    // Clicks `button` (start or resume) of a multi-process run: Pause stays off while it runs to
    // a successful end.
    void runWithoutPause(TrainView& view, const char* button)
    {
        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QTest::mouseClick(namedChild<QPushButton>(&view, button), Qt::LeftButton);
        QVERIFY(view.worker()->isRunning());
        expectNoPause(view);
        if (QTest::currentTestFailed())
            return;
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));
    }

    // Starts the form's run, presses Stop once `count` steps are reported, and waits for the end.
    void stopAfterSteps(TrainView& view, int count)
    {
        QSignalSpy steps(view.worker(), &TrainWorker::stepDone);
        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QVERIFY(view.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(steps.size() >= count, kRunTimeoutMs);
        QTest::mouseClick(namedChild<QPushButton>(&view, "stop"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, tmp_.filePath("settings"));
        useAllCores();
        model_ = QString::fromStdString(test::makeTinyModelFolder(tmp_.filePath("model")));
        data_ = QString::fromStdString(test::writeChapterSlice(tmp_.filePath("data.json"), 120));
    }

    // An empty chart shows one line saying what will appear, no axes with meaningless ticks;
    // the first point brings the axes back.
    void emptyChartsSayWhatWillAppear()
    {
        StudioState state;
        TrainView view(&state);
        auto* loss = view.findChild<LossChart*>();
        auto* steps = view.findChild<StepChart*>();
        QVERIFY(loss && steps);
        for (const QChartView* chart : {static_cast<QChartView*>(loss), static_cast<QChartView*>(steps)}) {
            const auto* empty = chart->chart()->findChild<EmptyChart*>();
            QVERIFY(empty && empty->isEmpty() && empty->note().contains("appear here"));
            for (const QAbstractAxis* axis : chart->chart()->axes())
                QVERIFY(!axis->isVisible());
        }
        loss->addPoint(EvalPoint{1, 5, 640, 3.2, 3.4, 1.0});
        StepPoint step;
        step.step = 5;
        step.learningRate = 5e-5;
        step.gradNorm = 1.5;
        steps->setPoints({step});
        for (const QChartView* chart : {static_cast<QChartView*>(loss), static_cast<QChartView*>(steps)}) {
            QVERIFY(!chart->chart()->findChild<EmptyChart*>()->isEmpty());
            for (const QAbstractAxis* axis : chart->chart()->axes())
                QVERIFY(axis->isVisible());
        }
    }

    // Each test starts from the chapter's defaults, not from the form the last one left.
    void init() { QSettings().remove("train"); }

    // Start after a run made a new run in a new folder, with the form's settings; the form's
    // settings come back when the app starts again.
    void secondStartMakesANewRunAndTheFormIsRemembered()
    {
        // The second run's fresh folder is made under the user's Documents: a home of its own.
        const QByteArray home = qgetenv("HOME");
        const auto restoreHome = qScopeGuard([home] { qputenv("HOME", home); });
        qputenv("HOME", tmp_.filePath("home").toUtf8());
        StudioState state;
        const QString firstDir = tmp_.filePath("first-of-two");
        QString secondDir;
        {
            TrainView view(&state);
            fillForm(view, firstDir, 2, 2);
            namedChild<QComboBox>(&view, "lrSchedule")->setCurrentText("cosine");
            for (int run = 0; run < 2; ++run) {
                QSignalSpy finished(view.worker(), &JobRunner::finished);
                QVERIFY(view.startTraining());
                QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
                QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));
            }
            secondDir = namedChild<QLineEdit>(&view, "runDir")->text();
        }
        QVERIFY2(secondDir.startsWith(tmp_.filePath("home/Documents/SFT Studio/runs/run-")), qPrintable(secondDir));
        for (const QString& dir : {firstDir, secondDir})
            QCOMPARE(RunDirectory::open(dir.toStdString()).readRunJson().at("status").get<std::string>(),
                     std::string("finished"));

        TrainView restarted(&state);
        QCOMPARE(namedChild<QSpinBox>(&restarted, "maxSteps")->value(), 2);
        QCOMPARE(namedChild<QSpinBox>(&restarted, "batchSize")->value(), 4);
        QCOMPARE(namedChild<QComboBox>(&restarted, "lrSchedule")->currentText(), QString("cosine"));
    }

    // Measure speed times a step of the form's run here: the plan line gives the seconds per step,
    // the device and threads, and the time of an epoch (102 training entries in batches of 4: 25
    // steps); a changed setting drops the measurement, which held for the old one.
    void measuredSpeedGivesTheTimeOfAnEpoch()
    {
        StudioState state;
        TrainView view(&state);
        fillForm(view, {}, 7, 2);
        QSignalSpy done(view.speedJob(), &JobRunner::finished);
        QTest::mouseClick(namedChild<QPushButton>(&view, "measureSpeed"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), kRunTimeoutMs);
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(2).toString()));
        auto* plan = namedChild<QLabel>(&view, "trainingPlan");
        QVERIFY2(plan->text().contains(QRegularExpression("Measured here: [0-9.e-]+ s per step on CPU with [0-9]+ "
                                                          "threads; 25 steps per epoch take about [0-9]+:[0-9]{2}")),
                 qPrintable(plan->text()));
        namedChild<QSpinBox>(&view, "batchSize")->setValue(2);
        QVERIFY(!plan->text().contains("Measured here"));
    }

    // A preset of one's own keeps the form's settings under a name, across restarts.
    void presetsAreSavedByName()
    {
        StudioState state;
        {
            TrainView view(&state);
            fillForm(view, {}, 7, 2);
            namedChild<QComboBox>(&view, "lrSchedule")->setCurrentText("cosine");
            view.savePreset("small/cosine");
            QCOMPARE(view.savedPresets(), QStringList({"small-cosine"}));
            QCOMPARE(namedChild<QComboBox>(&view, "preset")->currentText(), QString("small-cosine"));
            view.applyPreset(TrainView::Preset::Chapter7);
            QCOMPARE(namedChild<QSpinBox>(&view, "batchSize")->value(), 8);
        }
        TrainView restarted(&state);
        auto* presets = namedChild<QComboBox>(&restarted, "preset");
        QCOMPARE(presets->count(), 3);
        QCOMPARE(presets->itemText(2), QString("small-cosine"));
        QVERIFY(restarted.applySavedPreset("small-cosine"));
        QCOMPARE(namedChild<QSpinBox>(&restarted, "batchSize")->value(), 4);
        QCOMPARE(namedChild<QSpinBox>(&restarted, "maxSteps")->value(), 7);
        QCOMPARE(namedChild<QComboBox>(&restarted, "lrSchedule")->currentText(), QString("cosine"));
        QVERIFY(!restarted.applySavedPreset("no such preset"));
        restarted.deletePreset("small-cosine");
        QCOMPARE(presets->count(), 2);
        QVERIFY(restarted.savedPresets().isEmpty());
    }

    void runFromTheFormFillsTheChartAndStaysResponsive()
    {
        StudioState state;
        TrainView view(&state);
        view.resize(1100, 700);
        view.show();
        const QString runDir = tmp_.filePath("run-a");
        fillForm(view, runDir, 12, 3);
        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QSignalSpy status(&state, &StudioState::jobStatusChanged);

        QVERIFY(QTest::qWaitForWindowExposed(&view));
        EventLoopProbe probe;
        QTest::mouseClick(namedChild<QPushButton>(&view, "start"), Qt::LeftButton);
        QVERIFY(view.worker()->isRunning());
        QVERIFY(!namedChild<QPushButton>(&view, "start")->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
        qInfo("largest event-loop delay during training: %lld ms", probe.maxGapMs());
        QVERIFY2(probe.maxGapMs() < 100, qPrintable(QString::number(probe.maxGapMs())));
        QCOMPARE(finished.first().at(0).toBool(), true);

        const auto* progress = namedChild<QProgressBar>(&view, "progress");
        QCOMPARE(progress->maximum(), 12);
        QCOMPARE(progress->value(), progress->maximum());
        const auto metrics = readEvalPoints(runDir.toStdString());
        QCOMPARE(metrics.size(), size_t(4)); // steps 0, 3, 6, 9
        const auto* chart = namedChild<LossChart>(&view, "lossChart");
        QCOMPARE(chart->trainSeries()->count(), int(metrics.size()));
        QCOMPARE(chart->valSeries()->count(), int(metrics.size()));
        QCOMPARE(chart->trainSeries()->at(3), QPointF(9, metrics[3].trainLoss));
        // The app's training loss: the mean of the steps since the last evaluation, named so.
        const auto steps = readStepPoints(runDir.toStdString());
        QCOMPARE(metrics[3].trainLoss, (steps[7].loss + steps[8].loss + steps[9].loss) / 3);
        QVERIFY2(chart->trainSeries()->name().contains("mean of the steps"), qPrintable(chart->trainSeries()->name()));
        QVERIFY(!status.isEmpty());
        QCOMPARE(state.runPath(), runDir);
        QVERIFY(fileExists(runDir.toStdString() + "/checkpoints/final/model.safetensors"));
    }

    void chartSwitchesToTokensSeen()
    {
        StudioState state;
        TrainView view(&state);
        view.openRun(tmp_.filePath("run-a"));
        const auto points = readEvalPoints(tmp_.filePath("run-a").toStdString());
        namedChild<QComboBox>(&view, "xAxis")->setCurrentIndex(1);
        const auto* chart = namedChild<LossChart>(&view, "lossChart");
        QCOMPARE(chart->valSeries()->at(2), QPointF(double(points[2].tokensSeen), points[2].valLoss));
    }

    void reopenedRunRedrawsItsChartAndSettings()
    {
        StudioState state;
        TrainView view(&state);
        const QString runDir = tmp_.filePath("run-a");
        view.openRun(runDir);
        const auto points = readEvalPoints(runDir.toStdString());
        const auto* chart = namedChild<LossChart>(&view, "lossChart");
        QCOMPARE(chart->trainSeries()->count(), int(points.size()));
        for (int i = 0; i < int(points.size()); ++i)
            QCOMPARE(chart->valSeries()->at(i).y(), points[size_t(i)].valLoss);
        QCOMPARE(namedChild<QSpinBox>(&view, "batchSize")->value(), 4);
        QCOMPARE(namedChild<QSpinBox>(&view, "maxSteps")->value(), 12);
        const auto* progress = namedChild<QProgressBar>(&view, "progress");
        QCOMPARE(progress->value(), progress->maximum());
        QCOMPARE(state.runPath(), runDir);
    }

    void stopMidRunLeavesAConsistentRunFolder()
    {
        StudioState state;
        TrainView view(&state);
        const QString runDir = tmp_.filePath("run-stopped");
        fillForm(view, runDir, 0, 2);
        namedChild<QSpinBox>(&view, "epochs")->setValue(3);
        stopAfterSteps(view, 3);
        if (QTest::currentTestFailed())
            return;

        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        QCOMPARE(run.at("status").get<std::string>(), std::string("stopped"));
        const int64_t done = run.at("steps_done").get<int64_t>();
        QVERIFY(done >= 3 && done < 3 * 30);
        const std::string checkpoint = run.at("checkpoint").get<std::string>();
        QVERIFY2(QString::fromStdString(checkpoint).contains("step-"), checkpoint.c_str());
        const LoadedModel reloaded = loadModelFolder(checkpoint);
        QVERIFY(reloaded.model);
        QVERIFY(!readEvalPoints(runDir.toStdString()).empty());
    }

    // The Advanced settings reach run.json, and the step chart draws each step's rate.
    void advancedSettingsReachTheRun()
    {
        StudioState state;
        TrainView view(&state);
        const QString runDir = tmp_.filePath("run-advanced");
        fillForm(view, runDir, 6, 3);
        namedChild<QToolButton>(&view, "advancedToggle")->setChecked(true);
        namedChild<QCheckBox>(&view, "maskPrompt")->setChecked(true);
        namedChild<QComboBox>(&view, "lrSchedule")->setCurrentText("cosine");
        namedChild<QSpinBox>(&view, "warmupSteps")->setValue(2);
        namedChild<QSpinBox>(&view, "gradAccum")->setValue(2);
        namedChild<QDoubleSpinBox>(&view, "maxGradNorm")->setValue(1.5);
        namedChild<QSpinBox>(&view, "saveEvery")->setValue(3);
        namedChild<QCheckBox>(&view, "keepBest")->setChecked(true);
        namedChild<QComboBox>(&view, "precision")->setCurrentText("fp32");
        namedChild<QDoubleSpinBox>(&view, "dropout")->setValue(0.1);
        namedChild<QCheckBox>(&view, "noDecayBiasNorm")->setChecked(true);
        QVERIFY(state.maskPrompt()); // the Data view colours what training will mask
        DataView data(&state);
        QVERIFY(namedChild<QCheckBox>(&data, "maskPromptCheck")->isChecked());
        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QVERIFY(view.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
        QCOMPARE(finished.first().at(0).toBool(), true);

        const nlohmann::json options = RunDirectory::open(runDir.toStdString()).readRunJson().at("options");
        QVERIFY(options["mask_prompt"] == true);
        QVERIFY(options["lr_schedule"] == "cosine");
        QVERIFY(options["warmup_steps"] == 2);
        QVERIFY(options["grad_accumulation"] == 2);
        QVERIFY(options["max_grad_norm"] == 1.5);
        QVERIFY(options["save_every"] == 3);
        QVERIFY(options["keep_best"] == true);
        QVERIFY(options["precision"] == "fp32");
        QVERIFY(options["dropout"] == 0.1);
        QVERIFY(options["decay_bias_and_norm"] == false);
        QVERIFY(fileExists(runDir.toStdString() + "/checkpoints/best/model.safetensors"));
        const auto steps = readStepPoints(runDir.toStdString());
        QCOMPARE(steps.size(), size_t(6));
        const auto* chart = namedChild<StepChart>(&view, "stepChart");
        QTRY_COMPARE(chart->learningRateSeries()->count(), 6);
        QCOMPARE(chart->learningRateSeries()->at(0), QPointF(0, steps[0].learningRate));

        TrainView reopened(&state);
        reopened.openRun(runDir);
        QCOMPARE(namedChild<QComboBox>(&reopened, "lrSchedule")->currentText(), QString("cosine"));
        QCOMPARE(namedChild<QDoubleSpinBox>(&reopened, "dropout")->value(), 0.1);
        QCOMPARE(namedChild<StepChart>(&reopened, "stepChart")->gradNormSeries()->count(), 6);
    }

    // Resume continues a stopped run to its end, without repeating a row.
    void resumeFinishesAStoppedRun()
    {
        StudioState state;
        TrainView view(&state);
        const QString runDir = tmp_.filePath("run-resumed");
        fillForm(view, runDir, 8, 2);
        QSignalSpy steps(view.worker(), &TrainWorker::stepDone);
        QSignalSpy stopped(view.worker(), &JobRunner::finished);
        QVERIFY(view.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(steps.size() >= 2, kRunTimeoutMs);
        view.stopTraining();
        QTRY_VERIFY_WITH_TIMEOUT(!stopped.isEmpty(), kRunTimeoutMs);
        QCOMPARE(RunDirectory::open(runDir.toStdString()).readRunJson().at("status").get<std::string>(),
                 std::string("stopped"));

        view.openRun(runDir);
        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QTest::mouseClick(namedChild<QPushButton>(&view, "resume"), Qt::LeftButton);
        QVERIFY(view.worker()->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
        QCOMPARE(finished.first().at(0).toBool(), true);
        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        QCOMPARE(run.at("status").get<std::string>(), std::string("finished"));
        const auto logged = readStepPoints(runDir.toStdString());
        QCOMPARE(run.at("steps_done").get<int64_t>(), int64_t(8));
        QCOMPARE(logged.size(), size_t(8));
        for (size_t i = 0; i < logged.size(); ++i)
            QCOMPARE(logged[i].step, int64_t(i));
        const auto evals = readEvalPoints(runDir.toStdString());
        QCOMPARE(namedChild<LossChart>(&view, "lossChart")->valSeries()->count(), int(evals.size()));
    }

    // A run of 2 processes started from the form: rank 0's reports draw the loss chart, Pause is
    // off while it goes, and run.json and the runs list record both processes.
    void twoProcessRunFromTheFormDrawsItsChartAndCannotPause()
    {
        const auto program = ranksRunStudio();
        StudioState state;
        TrainView view(&state);
        const QString runDir = tmp_.filePath("run-two-processes");
        fillForm(view, runDir, 6, 2);
        namedChild<QToolButton>(&view, "advancedToggle")->setChecked(true);
        namedChild<QSpinBox>(&view, "processes")->setValue(2);
        runWithoutPause(view, "start");
        if (QTest::currentTestFailed())
            return;
        QVERIFY(namedChild<QPushButton>(&view, "start")->isEnabled());

        const nlohmann::json run = runJson(runDir);
        QCOMPARE(run.at("status").get<std::string>(), std::string("finished"));
        QCOMPARE(run.at("distributed").at("world_size").get<int>(), 2);
        QCOMPARE(run.at("options").at("processes").get<int>(), 2);
        const auto metrics = readEvalPoints(runDir.toStdString());
        QCOMPARE(metrics.size(), size_t(3)); // steps 0, 2, 4
        const auto* chart = namedChild<LossChart>(&view, "lossChart");
        QCOMPARE(chart->trainSeries()->count(), int(metrics.size()));
        QCOMPARE(chart->valSeries()->at(2), QPointF(4, metrics[2].valLoss));
        QCOMPARE(namedChild<QProgressBar>(&view, "progress")->value(), 6);
        RunsTableModel runs;
        runs.setRuns({summarizeRun(runDir.toStdString())});
        QCOMPARE(runs.headerData(RunsTableModel::Processes, Qt::Horizontal).toString(), QString("Processes"));
        QCOMPARE(runs.index(0, RunsTableModel::Processes).data().toString(), QString("2"));
    }

    // Stop reaches every process of a 2-process run; Resume continues it in 2 processes, with
    // Pause off again, to its end.
    void twoProcessRunStopsAndResumesInTwoProcesses()
    {
        const auto program = ranksRunStudio();
        StudioState state;
        TrainView view(&state);
        const QString runDir = tmp_.filePath("run-two-resumed");
        fillForm(view, runDir, 20, 4);
        namedChild<QSpinBox>(&view, "processes")->setValue(2);
        stopAfterSteps(view, 2);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(runJson(runDir).at("status").get<std::string>(), std::string("stopped"));
        qInfo("stopped after %lld of 20 steps", qlonglong(runJson(runDir).at("steps_done").get<int64_t>()));

        view.openRun(runDir);
        runWithoutPause(view, "resume");
        if (QTest::currentTestFailed())
            return;
        const nlohmann::json run = runJson(runDir);
        QCOMPARE(run.at("status").get<std::string>(), std::string("finished"));
        QCOMPARE(run.at("steps_done").get<int64_t>(), int64_t(20));
        QCOMPARE(run.at("distributed").at("world_size").get<int>(), 2);
        const auto logged = readStepPoints(runDir.toStdString());
        QCOMPARE(logged.size(), size_t(20));
        for (size_t i = 0; i < logged.size(); ++i)
            QCOMPARE(logged[i].step, int64_t(i));
    }

    // Every setting of TrainOptions has its widget: one with every setting changed comes back
    // from the form as it went in.
    void everyOptionRoundTripsThroughTheForm()
    {
        StudioState state;
        TrainView view(&state);
        const TrainOptions changed = test::everyOptionChanged();
        const nlohmann::json defaults = TrainOptions().toJson(), json = changed.toJson();
        for (const auto& [key, value] : json.items())
            QVERIFY2(test::kUnchangedByEveryOption.count(key) || value != defaults.at(key), key.c_str());
        view.showOptions(changed);
        QCOMPARE(dumped(view.formOptions()), dumped(changed));
        TrainOptions steps;
        steps.warmupSteps = 30;
        view.showOptions(steps);
        QCOMPARE(dumped(view.formOptions()), dumped(steps));
    }

    void loraSettingsRoundTripThroughTheForm()
    {
        StudioState state;
        TrainView view(&state);
        QVERIFY(!view.formOptions().lora); // the presets keep LoRA off
        auto* rank = namedChild<QSpinBox>(&view, "loraRank");
        QVERIFY(!rank->isEnabled());
        namedChild<QCheckBox>(&view, "lora")->setChecked(true);
        QVERIFY(rank->isEnabled());
        QVERIFY(namedChild<QCheckBox>(&view, "loraTarget_q")->isChecked());
        QVERIFY(namedChild<QCheckBox>(&view, "loraTarget_v")->isChecked());
        QVERIFY(!namedChild<QCheckBox>(&view, "loraTarget_k")->isChecked());
        QVERIFY(view.formOptions().lora->toJson() == LoraOptions().toJson());

        rank->setValue(4);
        namedChild<QDoubleSpinBox>(&view, "loraAlpha")->setValue(32);
        namedChild<QDoubleSpinBox>(&view, "loraDropout")->setValue(0.1);
        namedChild<QCheckBox>(&view, "loraTarget_q")->setChecked(false);
        for (const char* name : {"loraTarget_k", "loraTarget_ffn", "loraTarget_head"})
            namedChild<QCheckBox>(&view, name)->setChecked(true);
        namedChild<QCheckBox>(&view, "loraMerged")->setChecked(true);
        namedChild<QCheckBox>(&view, "memoryCheck")->setChecked(false);
        const TrainOptions read = view.formOptions();
        QVERIFY(read.lora);
        QCOMPARE(read.lora->rank, int64_t(4));
        QCOMPARE(read.lora->alpha, 32.0);
        QCOMPARE(read.lora->dropout, 0.1);
        QVERIFY(read.lora->targets ==
                std::set<LoraTarget>({LoraTarget::Key, LoraTarget::Value, LoraTarget::FeedForward, LoraTarget::Head}));
        QVERIFY(read.loraMerged);
        QVERIFY(!read.memoryCheck);

        TrainOptions other;
        other.lora = LoraOptions{16, 8, 0, {LoraTarget::AttentionOut}};
        view.showOptions(other);
        QCOMPARE(rank->value(), 16);
        QCOMPARE(namedChild<QDoubleSpinBox>(&view, "loraAlpha")->value(), 8.0);
        QCOMPARE(namedChild<QDoubleSpinBox>(&view, "loraDropout")->value(), 0.0);
        for (const char* name : {"loraTarget_q", "loraTarget_k", "loraTarget_v", "loraTarget_ffn", "loraTarget_head"})
            QVERIFY2(!namedChild<QCheckBox>(&view, name)->isChecked(), name);
        QVERIFY(namedChild<QCheckBox>(&view, "loraTarget_attn_out")->isChecked());
        QVERIFY(!namedChild<QCheckBox>(&view, "loraMerged")->isChecked());
        QVERIFY(namedChild<QCheckBox>(&view, "memoryCheck")->isChecked());
        QCOMPARE(dumped(view.formOptions()), dumped(other));

        view.showOptions(TrainOptions{}); // a run.json with "lora": null
        QVERIFY(!namedChild<QCheckBox>(&view, "lora")->isChecked());
        QVERIFY(!rank->isEnabled());
        QCOMPARE(dumped(view.formOptions()), dumped(TrainOptions{}));
    }

    void trainingPlanCountsTheTrainedParametersBeforeStart()
    {
        StudioState state;
        TrainView view(&state);
        const auto* plan = namedChild<QLabel>(&view, "trainingPlan");
        namedChild<QLineEdit>(&view, "model")->setText(model_);
        const GptConfig config = readGptConfigFile(model_.toStdString() + "/config.json");
        QVERIFY(!config.tieEmbeddings); // the trainer's model: a head of its own
        const int64_t total = config.parameterCount();
        QVERIFY2(plan->text().contains(planCounts(total, total) + " (100%)"), qPrintable(plan->text()));
        QVERIFY(plan->styleSheet().isEmpty());

        namedChild<QCheckBox>(&view, "lora")->setChecked(true);
        LoraOptions lora;
        const int64_t adapters = loraParameterCount(config, lora);
        QVERIFY2(plan->text().contains(planCounts(adapters, total + adapters)), qPrintable(plan->text()));
        namedChild<QSpinBox>(&view, "loraRank")->setValue(16);
        lora.rank = 16;
        const int64_t moreAdapters = loraParameterCount(config, lora);
        QVERIFY(moreAdapters > adapters);
        QVERIFY2(plan->text().contains(planCounts(moreAdapters, total + moreAdapters)), qPrintable(plan->text()));

        // Until the Data view has tokenized the dataset the plan assumes the max length; then
        // the longest entry under the chosen template.
        namedChild<QSpinBox>(&view, "maxLength")->setValue(100);
        QVERIFY2(plan->text().contains(QString::fromUtf8("× 100 tokens (the max length")), qPrintable(plan->text()));
        namedChild<QLineEdit>(&view, "dataset")->setText("data.json");
        state.setLongestExample("data.json", "alpaca", 37);
        QVERIFY2(plan->text().contains(QString::fromUtf8("× 37 tokens (the dataset's longest entry)")),
                 qPrintable(plan->text()));
        namedChild<QComboBox>(&view, "template")->setCurrentText("phi3");
        QVERIFY2(plan->text().contains(QString::fromUtf8("× 100 tokens")), qPrintable(plan->text()));
    }

    // SFT_MEMORY_LIMIT stands for a machine with 0.1 GB: the line says so before Start.
    void trainingPlanWarnsWhenTheRunCannotFit()
    {
        qputenv("SFT_MEMORY_LIMIT", "0.1");
        StudioState state;
        TrainView view(&state);
        namedChild<QLineEdit>(&view, "model")->setText(model_);
        const auto* plan = namedChild<QLabel>(&view, "trainingPlan");
        const QString warned = plan->text();
        const QString style = plan->styleSheet();
        qunsetenv("SFT_MEMORY_LIMIT");
        qInfo("%s", qPrintable(warned));
        QVERIFY2(warned.contains("0.1 GB available") && warned.contains("Start refuses"), qPrintable(warned));
        QVERIFY(!style.isEmpty());
        namedChild<QSpinBox>(&view, "batchSize")->setValue(2); // recomputed with the machine's memory
        QVERIFY2(!plan->text().contains("refuse"), qPrintable(plan->text()));
        QVERIFY(plan->styleSheet().isEmpty());
    }

    void loraRunFromTheFormRecordsItsAdapters()
    {
        StudioState state;
        TrainView view(&state);
        const QString runDir = tmp_.filePath("run-lora");
        fillForm(view, runDir, 4, 2);
        namedChild<QToolButton>(&view, "advancedToggle")->setChecked(true);
        namedChild<QCheckBox>(&view, "lora")->setChecked(true);
        namedChild<QSpinBox>(&view, "loraRank")->setValue(4);
        namedChild<QCheckBox>(&view, "loraMerged")->setChecked(true);
        const QString planned = namedChild<QLabel>(&view, "trainingPlan")->text();
        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QVERIFY(view.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));

        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        const nlohmann::json& options = run.at("options");
        QCOMPARE(options.at("lora").at("r").get<int64_t>(), int64_t(4));
        QVERIFY(options.at("lora_merged") == true);
        QVERIFY(options.at("memory_check") == true);
        LoraOptions lora;
        lora.rank = 4;
        const GptConfig config = readGptConfigFile(model_.toStdString() + "/config.json");
        const int64_t trainable = run.at("parameters").at("trainable").get<int64_t>();
        const int64_t total = run.at("parameters").at("total").get<int64_t>();
        QCOMPARE(trainable, loraParameterCount(config, lora));
        QVERIFY2(planned.contains(planCounts(trainable, total)), qPrintable(planned)); // as the form said
    }

    // DPO from the form: choosing the method shows its settings and swaps in the notebook's
    // learning rate and weight decay; the run on preference data draws the rewards chart, and a
    // reopened run draws it again. Back to sft, the chapter's values return.
    void dpoRunFromTheFormDrawsTheRewards()
    {
        StudioState state;
        TrainView view(&state);
        view.resize(1100, 740); // about what the default window gives a view
        view.show();
        const QString runDir = tmp_.filePath("run-dpo");
        fillForm(view, runDir, 6, 2);
        namedChild<QLineEdit>(&view, "dataset")->setText(
            QString::fromStdString(test::writePreferenceSlice(tmp_.filePath("prefs.json"), 60)));
        auto* method = namedChild<QComboBox>(&view, "method");
        QVERIFY(!namedChild<QWidget>(&view, "dpoBox")->isVisibleTo(&view));
        method->setCurrentText("dpo");
        QVERIFY(namedChild<QWidget>(&view, "dpoBox")->isVisibleTo(&view));
        QCOMPARE(view.formOptions().learningRate, 5e-6);
        QCOMPARE(view.formOptions().weightDecay, 0.01);
        QCOMPARE(view.formOptions().epochs, int64_t(1)); // the quick preset's, kept
        namedChild<QLineEdit>(&view, "learningRate")->setText("1e-3");
        namedChild<QDoubleSpinBox>(&view, "dpoBeta")->setValue(0.2);
        auto* rewards = namedChild<RewardChart>(&view, "rewardChart");
        QVERIFY(!rewards->isVisibleTo(&view));
        const QSize needed = view.minimumSizeHint();

        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QVERIFY(view.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));
        const auto metrics = readEvalPoints(runDir.toStdString());
        QCOMPARE(metrics.size(), size_t(3)); // steps 0, 2, 4
        QVERIFY(rewards->isVisibleTo(&view));
        // Beside the loss chart: no taller than before, and no wider than the view is here.
        QVERIFY2(view.minimumSizeHint().height() <= needed.height() && view.minimumSizeHint().width() <= view.width(),
                 qPrintable(QString("%1x%2").arg(view.minimumSizeHint().width()).arg(view.minimumSizeHint().height())));
        QCOMPARE(int(rewards->series().size()), 6);
        for (const QLineSeries* series : rewards->series())
            QCOMPARE(series->count(), 3);
        QCOMPARE(rewards->series()[2]->at(2), QPointF(4, metrics[2].trainRewards->margin()));
        QCOMPARE(rewards->series()[4]->at(1), QPointF(2, metrics[1].valRewards->rejected));
        QVERIFY(namedChild<QPlainTextEdit>(&view, "log")->toPlainText().contains("Val reward margins"));
        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        QCOMPARE(run.at("method").get<std::string>(), std::string("dpo"));
        QCOMPARE(run.at("dpo").at("beta").get<double>(), 0.2);

        TrainView reopened(&state);
        auto* redrawn = namedChild<RewardChart>(&reopened, "rewardChart");
        reopened.openRun(runDir);
        QVERIFY(redrawn->isVisibleTo(&reopened));
        QCOMPARE(redrawn->series()[0]->count(), 3);
        method->setCurrentText("sft");
        QVERIFY(!namedChild<QWidget>(&view, "dpoBox")->isVisibleTo(&view));
        QCOMPARE(view.formOptions().weightDecay, 0.1);
    }

    // The runs library lists runs made by the CLI and by the app, a killed one as failed; from it a
    // run opens in Train with its log, a killed one resumes, a finished one runs again into a new
    // folder, three are compared, one is exported as GGUF, one renamed and one moved to the trash.
    void runsLibraryListsAndActsOnRuns()
    {
        const QByteArray home = qgetenv("HOME"), data = qgetenv("XDG_DATA_HOME");
        const auto restore = qScopeGuard([home, data] {
            qputenv("HOME", home);
            qputenv("XDG_DATA_HOME", data);
        });
        QDir().mkpath(tmp_.filePath("library-home")); // the trash goes where the home's file system is
        qputenv("HOME", tmp_.filePath("library-home").toUtf8());
        qputenv("XDG_DATA_HOME", tmp_.filePath("library-home/.local/share").toUtf8());
        const QString library = tmp_.filePath("library");
        const QStringList tiny = {"--model", model_, "--data", data_, "--batch-size", "4", "--max-length", "64",
                                  "--eval-iter", "1"};
        const auto cli = test::runStudio(QStringList{"train", "--out", library + "/cli-run", "--max-steps", "2",
                                                     "--eval-freq", "1"} + tiny);
        QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));
        QProcess killed;
        killed.start(SFT_BINARY, QStringList{"train", "--out", library + "/cli-killed", "--max-steps", "200",
                                             "--eval-freq", "50", "--save-every", "1"} + tiny);
        QVERIFY(killed.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QDir(library + "/cli-killed/checkpoints/step-000002").exists(), kRunTimeoutMs);
        killed.kill();
        QVERIFY(killed.waitForFinished());

        MainWindow window;
        window.resize(1280, 800);
        window.show();
        TrainView* train = window.trainView();
        fillForm(*train, library + "/app-run", 2, 1);
        QSignalSpy appRun(train->worker(), &JobRunner::finished);
        QVERIFY(train->startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!appRun.isEmpty(), kRunTimeoutMs);
        window.state()->addRunFolder(library);
        auto* runs = qobject_cast<RunsView*>(window.view(MainWindow::View::Runs));
        window.showView(MainWindow::View::Runs);
        const auto statusOf = [runs](const QString& name) {
            for (int row = 0; row < runs->model()->rowCount(); ++row)
                if (runs->model()->runAt(row).name == name.toStdString())
                    return QString(runStatusName(runs->model()->runAt(row).status));
            return QString("absent");
        };
        QTRY_COMPARE(runs->model()->rowCount(), 3);
        QCOMPARE(statusOf("cli-run"), QString("finished"));
        QCOMPARE(statusOf("cli-killed"), QString("failed"));
        QCOMPARE(statusOf("app-run"), QString("finished"));

        runs->selectRuns({library + "/cli-run"});
        QTest::mouseClick(namedChild<QPushButton>(runs, "openRun"), Qt::LeftButton);
        QCOMPARE(window.currentView(), MainWindow::View::Train);
        QCOMPARE(namedChild<QLineEdit>(train, "runDir")->text(), library + "/cli-run");
        const QString log = namedChild<QPlainTextEdit>(train, "log")->toPlainText();
        QVERIFY2(log.contains("Ep 1 (Step 000001): Train loss") && log.contains("Finished 2 steps"), qPrintable(log));

        window.showView(MainWindow::View::Runs);
        runs->selectRuns({library + "/cli-killed"});
        QSignalSpy resumed(train->worker(), &JobRunner::finished);
        QTest::mouseClick(namedChild<QPushButton>(runs, "resumeRun"), Qt::LeftButton);
        QVERIFY(train->worker()->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(!resumed.isEmpty(), kRunTimeoutMs);
        window.showView(MainWindow::View::Runs);
        QTRY_COMPARE(statusOf("cli-killed"), QString("finished"));

        runs->selectRuns({library + "/app-run"});
        QSignalSpy again(train->worker(), &JobRunner::finished);
        QTest::mouseClick(namedChild<QPushButton>(runs, "runAgain"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!again.isEmpty(), kRunTimeoutMs);
        QVERIFY2(again.first().at(0).toBool(), qPrintable(again.first().at(2).toString()));
        const QString rerun = namedChild<QLineEdit>(train, "runDir")->text();
        QVERIFY2(rerun.startsWith(StudioState::defaultRunsFolder()), qPrintable(rerun));
        QCOMPARE(RunDirectory::open(rerun.toStdString()).readRunJson().at("options"),
                 RunDirectory::open((library + "/app-run").toStdString()).readRunJson().at("options"));
        window.showView(MainWindow::View::Runs);
        QTRY_COMPARE(runs->model()->rowCount(), 4);

        runs->selectRuns({library + "/cli-run", library + "/cli-killed", library + "/app-run"});
        QTest::mouseClick(namedChild<QPushButton>(runs, "compareRuns"), Qt::LeftButton);
        QCOMPARE(window.currentView(), MainWindow::View::Compare);
        QCOMPARE(namedChild<QChartView>(window.view(MainWindow::View::Compare), "lossChart")->chart()->series().size(), 6);

        ExportDialog exporter(library + "/cli-run", window.state());
        namedChild<QComboBox>(&exporter, "exportFormat")->setCurrentIndex(1);
        QCOMPARE(namedChild<QLineEdit>(&exporter, "exportOut")->text(), library + "/cli-run/export/final.gguf");
        QSignalSpy exported(exporter.job(), &JobRunner::finished);
        QVERIFY(exporter.startExport());
        QTRY_VERIFY_WITH_TIMEOUT(!exported.isEmpty(), kRunTimeoutMs);
        QVERIFY2(exported.first().at(0).toBool(), qPrintable(exported.first().at(2).toString()));
        QVERIFY(QFileInfo(library + "/cli-run/export/final.gguf").size() > 0);
        QVERIFY(namedChild<QLabel>(&exporter, "exportStatus")->text().contains("ollama create"));

        window.showView(MainWindow::View::Runs);
        QVERIFY(runs->renameRun(library + "/app-run", "app-renamed"));
        QString inTrash;
        QVERIFY(runs->moveToTrash(library + "/cli-run", &inTrash));
        QVERIFY(!QFileInfo::exists(library + "/cli-run"));
        QVERIFY2(inTrash.contains("Trash") && QFileInfo::exists(inTrash + "/run.json"), qPrintable(inTrash));
        QTRY_COMPARE(statusOf("app-renamed"), QString("finished"));
        QTRY_COMPARE(statusOf("cli-run"), QString("absent"));
        QCOMPARE(runs->model()->rowCount(), 3);
    }

    void closingDuringARunAsksThenStopsIt()
    {
        MainWindow window;
        window.show();
        TrainView* view = window.trainView();
        const QString runDir = tmp_.filePath("run-closed");
        fillForm(*view, runDir, 0, 2);
        namedChild<QSpinBox>(view, "epochs")->setValue(3);
        QSignalSpy steps(view->worker(), &TrainWorker::stepDone);
        QVERIFY(view->startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(steps.size() >= 1, kRunTimeoutMs);

        bool asked = false;
        QTimer::singleShot(200, [&] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            asked = box != nullptr;
            if (box)
                box->button(QMessageBox::Yes)->click();
        });
        QVERIFY(window.close());
        QVERIFY(asked);
        QVERIFY(view->worker()->wait(0)); // the thread has ended
        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        QCOMPARE(run.at("status").get<std::string>(), std::string("stopped"));
        QVERIFY(fileExists(run.at("checkpoint").get<std::string>() + "/model.safetensors"));
    }

    // The form is made from the settings table: every descriptor has a widget of its name that
    // shows the setting's default, with nothing listed here by hand.
    void everySettingHasAWidgetShowingItsDefault()
    {
        StudioState state;
        TrainView view(&state);
        const std::vector<SettingInfo> settings = trainSettings().infos();
        QVERIFY(settings.size() >= 38);
        const QString problem = test::settingWidgetProblem(&view, settings);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // The same settings through the form and through `sft-studio train`: the same run.json
    // settings and the same loss at every step.
    void formAndCommandLineMakeTheSameRun()
    {
        QTemporaryDir dir;
        const auto cli = test::runStudio({"train", "--model", model_, "--data", data_, "--out", dir.filePath("cli"),
                                          "--epochs", "1", "--max-steps", "4", "--batch-size", "4", "--eval-freq",
                                          "2", "--eval-iter", "1", "--max-length", "256", "--lr-schedule", "cosine",
                                          "--warmup-steps", "1", "--max-grad-norm", "1", "--sample-tokens", "0"},
                                         kRunTimeoutMs);
        QVERIFY2(cli.exitCode == 0, qPrintable(cli.err));

        StudioState state;
        TrainView view(&state);
        namedChild<QLineEdit>(&view, "model")->setText(model_);
        namedChild<QLineEdit>(&view, "dataset")->setText(data_);
        namedChild<QLineEdit>(&view, "runDir")->setText(dir.filePath("gui"));
        namedChild<QSpinBox>(&view, "epochs")->setValue(1);
        namedChild<QSpinBox>(&view, "maxSteps")->setValue(4);
        namedChild<QSpinBox>(&view, "batchSize")->setValue(4);
        namedChild<QSpinBox>(&view, "evalFreq")->setValue(2);
        namedChild<QSpinBox>(&view, "evalIter")->setValue(1);
        namedChild<QSpinBox>(&view, "maxLength")->setValue(256);
        namedChild<QComboBox>(&view, "lrSchedule")->setCurrentText("cosine");
        namedChild<QSpinBox>(&view, "warmupSteps")->setValue(1);
        namedChild<QDoubleSpinBox>(&view, "maxGradNorm")->setValue(1);
        namedChild<QSpinBox>(&view, "sampleTokens")->setValue(0);
        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QVERIFY(view.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));

        const auto options = [&](const char* run) {
            return RunDirectory::open(dir.filePath(run).toStdString()).readRunJson().at("options");
        };
        QVERIFY2(options("gui") == options("cli"), (options("gui").dump() + "\n vs \n" + options("cli").dump()).c_str());
        const std::vector<StepPoint> gui = readStepPoints(dir.filePath("gui").toStdString());
        const std::vector<StepPoint> cliSteps = readStepPoints(dir.filePath("cli").toStdString());
        QCOMPARE(gui.size(), size_t(4));
        QCOMPARE(cliSteps.size(), gui.size());
        for (size_t i = 0; i < gui.size(); ++i) {
            QCOMPARE(gui[i].loss, cliSteps[i].loss);
            QCOMPARE(gui[i].learningRate, cliSteps[i].learningRate);
        }
    }

};

QTEST_MAIN(TestGuiTrain)
#include "test_gui_train.moc"
