// The Train view driven through its widgets: a tiny run started from the form fills the chart
// and reaches 100%, the event loop stays responsive meanwhile, Stop leaves a consistent run
// folder, a finished run reopened redraws its chart from disk, and closing the window during
// a run asks, then stops it with the run saved.

#include "core/io/model_folder.h"
#include "core/model/threads.h"
#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/widget_lookup.h"
#include "ui/loss_chart.h"
#include "ui/data_view.h"
#include "ui/main_window.h"
#include "ui/step_chart.h"
#include "ui/studio_state.h"
#include "ui/train_view.h"
#include "ui/train_worker.h"

#include <QApplication>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QToolButton>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
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

private Q_SLOTS:
    void initTestCase()
    {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, tmp_.filePath("settings"));
        useAllCores();
        model_ = QString::fromStdString(test::makeTinyModelFolder(tmp_.filePath("model")));
        data_ = QString::fromStdString(test::writeChapterSlice(tmp_.filePath("data.json"), 120));
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
        QSignalSpy steps(view.worker(), &TrainWorker::stepDone);
        QSignalSpy finished(view.worker(), &JobRunner::finished);
        QVERIFY(view.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(steps.size() >= 3, kRunTimeoutMs);
        QTest::mouseClick(namedChild<QPushButton>(&view, "stop"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kRunTimeoutMs);

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
};

QTEST_MAIN(TestGuiTrain)
#include "test_gui_train.moc"
