// Exact resume: a run stopped after step k (by Stop, or by kill -9 of the CLI process) and
// continued gives, step for step and to the last digit, the losses of an uninterrupted run (a
// LoRA run's too); a kill before the first checkpoint starts over; a finished run continues for
// more epochs. The runs library tells each of these apart: running, killed, stopped, failed,
// finished, and a run on another machine by what it writes, with how many processes trained it.

#include "core/data/dataset.h"
#include "core/io/lora_adapters.h"
#include "core/io/model_folder.h"
#include "core/model/lora.h"
#include "core/train/checkpoint_folders.h"
#include "core/train/resume_state.h"
#include "core/train/run_directory.h"
#include "core/train/run_library.h"
#include "core/train/run_metrics.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"
#include "tests/support/train_fixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace sft;
using sft::test::Recorder;

namespace {

// Every piece of state a resume must bring back: shuffled orders over several epochs, dropout
// (the global generator), the warmup (the step), AdamW with accumulation and clipping. A
// constant rate after the warmup, so that the plan's length does not change the schedule and a
// 1-epoch run continued for 1 more epoch is this run too; the CLI test has cosine decay.
// 40 entries give 34 for training: 8 batches of 4, 4 steps of 2 per epoch; short sequences
// keep each step fast.
TrainOptions resumeOptions()
{
    TrainOptions o;
    o.epochs = 2;
    o.maxLength = 64;
    o.batchSize = 4;
    o.gradAccumulation = 2;
    o.learningRate = 1e-3;
    o.warmupSteps = 3;
    o.maxGradNorm = 1.0;
    o.dropout = 0.1;
    o.evalFreq = 2;
    o.evalIter = 1;
    o.saveEvery = 3;
    o.sampleTokens = 3;
    return o;
}

// The same with a third epoch, so that the run is still going when it is killed.
const QStringList kCliOptions = {"--epochs", "3", "--max-length", "64", "--batch-size", "4", "--grad-accum", "2",
                                 "--lr", "1e-3", "--lr-schedule", "cosine", "--warmup-steps", "3",
                                 "--max-grad-norm", "1", "--dropout", "0.1", "--eval-freq", "2", "--eval-iter", "1",
                                 "--save-every", "3"};

// metrics.jsonl rows without the wall-clock time.
std::vector<nlohmann::json> evalRows(const RunDirectory& run)
{
    std::vector<nlohmann::json> rows = run.readMetrics();
    for (nlohmann::json& row : rows)
        row.erase("elapsed_s");
    return rows;
}

QStringList evalLines(const QString& out) { return out.split('\n').filter(QRegularExpression("^Ep \\d")); }

int lineCount(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? int(file.readAll().count('\n')) : 0;
}

} // namespace

class TestTrainResume : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    std::string model_, data_, reference_;

    TrainInputs inputs() const { return {loadModelFolder(model_), loadTokenizer(model_), loadDataset(data_)}; }

    // The same rows, step for step, and the same final weights as the uninterrupted run.
    void expectSameAs(const std::string& reference, const std::string& runDir)
    {
        const RunDirectory a = RunDirectory::open(reference), b = RunDirectory::open(runDir);
        const auto stepsA = a.readSteps(), stepsB = b.readSteps();
        QCOMPARE(stepsB.size(), stepsA.size());
        for (size_t i = 0; i < stepsA.size(); ++i)
            QVERIFY2(stepsA[i] == stepsB[i], (stepsA[i].dump() + " vs " + stepsB[i].dump()).c_str());
        const auto evalsA = evalRows(a), evalsB = evalRows(b);
        QCOMPARE(evalsB.size(), evalsA.size());
        for (size_t i = 0; i < evalsA.size(); ++i)
            QVERIFY2(evalsA[i] == evalsB[i], (evalsA[i].dump() + " vs " + evalsB[i].dump()).c_str());
        QCOMPARE(b.readRunJson()["status"].get<std::string>(), std::string("finished"));
        QCOMPARE(sha256OfFile(b.checkpointPath("final") + "/model.safetensors"),
                 sha256OfFile(a.checkpointPath("final") + "/model.safetensors"));
    }

    // Until the running CLI has written `checkpoint` and `rows` step rows (then a kill lands
    // between a checkpoint and the end); fails when it ends first.
    static void waitForProgress(QProcess& process, const QString& runDir, const QString& checkpoint, int rows)
    {
        QVERIFY(process.waitForStarted());
        QElapsedTimer clock;
        clock.start();
        while (!(QDir(runDir + "/checkpoints/" + checkpoint).exists() && lineCount(runDir + "/steps.jsonl") >= rows)) {
            QVERIFY2(process.state() == QProcess::Running, "the run ended before it could be killed");
            QVERIFY(clock.elapsed() < 120000);
            QThread::msleep(1);
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        torch::set_num_threads(2);
        model_ = test::makeTinyModelFolder(tmp_.filePath("model"));
        data_ = test::writeChapterSlice(tmp_.filePath("data.json"), 40);
        reference_ = tmp_.filePath("reference").toStdString();
        TrainInputs in = inputs();
        Recorder recorder;
        train(in, resumeOptions(), reference_, recorder);
        QCOMPARE(int(recorder.steps.size()), 8);
    }

    void stopThenResumeEqualsUninterrupted_data()
    {
        QTest::addColumn<int>("stopStep");
        QTest::newRow("before the first checkpoint") << 1;
        QTest::newRow("at the end of an epoch") << 3;
        QTest::newRow("right after a periodic checkpoint") << 5;
    }

    void stopThenResumeEqualsUninterrupted()
    {
        QFETCH(int, stopStep);
        const std::string runDir = tmp_.filePath("stopped-" + QString::number(stopStep)).toStdString();
        TrainInputs in = inputs();
        JobControl job;
        Recorder first;
        first.stopAfter = &job;
        first.stopStep = stopStep;
        const TrainResult stopped = train(in, resumeOptions(), runDir, first, &job);
        QVERIFY(stopped.stopped);
        QCOMPARE(stopped.steps, int64_t(stopStep + 1));

        Recorder second;
        const TrainResult resumed = resumeTraining(runDir, 0, second);
        QVERIFY(!resumed.stopped);
        QCOMPARE(second.resumedAt, int64_t(stopStep + 1));
        QCOMPARE(second.steps.front().step, int64_t(stopStep + 1));
        expectSameAs(reference_, runDir);
        // The log lines as printed: those the resumed run kept, then its own.
        std::vector<EvalPoint> printed = second.resumedEvals;
        printed.insert(printed.end(), second.evals.begin(), second.evals.end());
        const std::vector<EvalPoint> expected = readEvalPoints(reference_);
        QCOMPARE(printed.size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i)
            QCOMPARE(formatEvalLine(printed[i]), formatEvalLine(expected[i]));
    }

    // A LoRA run's checkpoints hold its adapters alone (and AdamW's moments of them); stopped
    // and resumed, it ends with the adapters and merged model of the uninterrupted run.
    void loraStopThenResumeEqualsUninterrupted()
    {
        TrainOptions o = resumeOptions();
        o.lora = LoraOptions{};
        o.lora->targets = {LoraTarget::Query, LoraTarget::Value, LoraTarget::FeedForward};
        o.loraMerged = true;
        const std::string reference = tmp_.filePath("lora-reference").toStdString();
        const std::string runDir = tmp_.filePath("lora-stopped").toStdString();
        {
            TrainInputs in = inputs();
            Recorder whole;
            train(in, o, reference, whole);
        }
        TrainInputs in = inputs();
        JobControl job;
        Recorder first;
        first.stopAfter = &job;
        first.stopStep = 4;
        const TrainResult stopped = train(in, o, runDir, first, &job);
        QVERIFY(stopped.stopped);
        QVERIFY(isLoraAdapterFolder(stopped.checkpoint));
        QVERIFY(!fileExists(stopped.checkpoint + "/model.safetensors"));

        Recorder second;
        resumeTraining(runDir, 0, second);
        QCOMPARE(second.resumedAt, int64_t(5));
        expectSameAs(reference, runDir);
        const RunDirectory a = RunDirectory::open(reference), b = RunDirectory::open(runDir);
        QCOMPARE(sha256OfFile(b.checkpointPath("final") + "/adapter_model.safetensors"),
                 sha256OfFile(a.checkpointPath("final") + "/adapter_model.safetensors"));
    }

    // What a kill before the first checkpoint leaves: rows of steps done, a torn last line, a
    // half-written checkpoint folder. The run starts over and ends as the uninterrupted one.
    void killBeforeTheFirstCheckpointStartsOver()
    {
        const std::string runDir = tmp_.filePath("killed-early").toStdString();
        TrainInputs in = inputs();
        JobControl job;
        Recorder first;
        first.stopAfter = &job;
        first.stopStep = 1;
        train(in, resumeOptions(), runDir, first, &job);
        const RunDirectory run = RunDirectory::open(runDir);
        QVERIFY(QDir(QString::fromStdString(run.checkpointPath("step-000002"))).removeRecursively());
        nlohmann::json json = run.readRunJson();
        json["status"] = "running";
        run.writeRunJson(json);
        writeFileAtomic(run.metricsPath(), readFile(run.metricsPath()) + "{\"epoch\": 1, \"st");
        writeFileAtomic(run.stepsPath(), readFile(run.stepsPath()) + "{\"epoch\"");
        makeDirectories(run.checkpointPath(".step-000003.partial"));
        writeFileAtomic(run.checkpointPath(".step-000003.partial") + "/config.json", "{");

        Recorder second;
        resumeTraining(runDir, 0, second);
        QCOMPARE(second.resumedAt, int64_t(0));
        QVERIFY(second.resumedEvals.empty());
        QVERIFY(!fileExists(run.checkpointPath(".step-000003.partial")));
        expectSameAs(reference_, runDir);
    }

    // A kill after the final checkpoint but before run.json said finished, in a run that also
    // saved its last step: both folders hold the same state, and the resume finishes the run.
    void killAfterTheFinalCheckpointFinishesTheRun()
    {
        const std::string runDir = tmp_.filePath("killed-at-the-end").toStdString();
        TrainInputs in = inputs();
        TrainOptions o = resumeOptions();
        o.saveEvery = 1;
        Recorder first;
        train(in, o, runDir, first);
        const RunDirectory run = RunDirectory::open(runDir);
        const int64_t steps = int64_t(first.steps.size());
        QVERIFY(hasResumeState(run.checkpointPath(CheckpointFolders::stepName(steps))));
        nlohmann::json json = run.readRunJson();
        json["status"] = "running";
        run.writeRunJson(json);

        Recorder second;
        resumeTraining(runDir, 0, second);
        QCOMPARE(second.resumedAt, steps);
        expectSameAs(reference_, runDir);
    }

    // kill -9 of the CLI after a checkpoint and a few more steps, then `train --resume`: the
    // same rows and printed lines as an uninterrupted CLI run.
    void cliKilledThenResumedEqualsUninterrupted()
    {
        const QString data = QString::fromStdString(data_), model = QString::fromStdString(model_);
        const QString reference = tmp_.filePath("cli-reference"), killed = tmp_.filePath("cli-killed");
        const auto whole = test::runStudio(QStringList{"train", "--model", model, "--data", data, "--out", reference} + kCliOptions);
        QVERIFY2(whole.exitCode == 0, qPrintable(whole.err));

        QProcess process;
        process.start(SFT_BINARY, QStringList{"train", "--model", model, "--data", data, "--out", killed} + kCliOptions);
        waitForProgress(process, killed, "step-000003", 5);
        if (QTest::currentTestFailed())
            return;
        const RunSummary live = summarizeRun(killed.toStdString());
        QCOMPARE(runStatusName(live.status), "running");
        QVERIFY(live.stepsDone >= 5 && live.totalSteps == 12);
        process.kill(); // SIGKILL
        QVERIFY(process.waitForFinished());
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
        const RunDirectory run = RunDirectory::open(killed.toStdString());
        QCOMPARE(run.readRunJson()["status"].get<std::string>(), std::string("running"));
        QVERIFY(!fileExists(run.checkpointPath("final")));
        const RunSummary dead = summarizeRun(killed.toStdString());
        QCOMPARE(runStatusName(dead.status), "failed");
        QVERIFY2(QString::fromStdString(dead.detail).contains("ended without finishing"), dead.detail.c_str());

        const auto resumed = test::runStudio({"train", "--resume", killed});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QVERIFY2(resumed.err.contains("resuming"), qPrintable(resumed.err));
        expectSameAs(reference.toStdString(), killed.toStdString());
        QCOMPARE(evalLines(resumed.out), evalLines(whole.out));
        const RunSummary finished = summarizeRun(killed.toStdString());
        QCOMPARE(runStatusName(finished.status), "finished");
        QCOMPARE(finished.stepsDone, int64_t(12));
    }

    // The same for a DPO run on preference data: the reference model comes back with the run.
    void dpoKilledThenResumedEqualsUninterrupted()
    {
        const QString data = QString::fromStdString(test::writePreferenceSlice(tmp_.filePath("prefs.json"), 40));
        const QString model = QString::fromStdString(model_);
        const QString reference = tmp_.filePath("dpo-reference"), killed = tmp_.filePath("dpo-killed");
        const QStringList options = {"--method", "dpo", "--epochs", "2", "--max-length", "64", "--batch-size", "4",
                                     "--lr", "1e-3", "--eval-freq", "2", "--eval-iter", "1", "--save-every", "3",
                                     "--sample-tokens", "3"};
        const auto whole = test::runStudio(QStringList{"train", "--model", model, "--data", data, "--out", reference} + options);
        QVERIFY2(whole.exitCode == 0, qPrintable(whole.err));
        QVERIFY2(whole.out.contains("Train reward margins"), qPrintable(whole.out));

        QProcess process;
        process.start(SFT_BINARY, QStringList{"train", "--model", model, "--data", data, "--out", killed} + options);
        waitForProgress(process, killed, "step-000006", 8);
        if (QTest::currentTestFailed())
            return;
        process.kill(); // SIGKILL
        QVERIFY(process.waitForFinished());
        const auto resumed = test::runStudio({"train", "--resume", killed});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        expectSameAs(reference.toStdString(), killed.toStdString());
        QCOMPARE(evalLines(resumed.out), evalLines(whole.out));
        QVERIFY(RunDirectory::open(killed.toStdString()).readSteps().front().contains("reward_margin"));
    }

    void cliResumeTakesNoRunSettings()
    {
        auto r = test::runStudio({"train", "--resume", tmp_.filePath("cli-reference"), "--lr", "1e-4"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--lr"), qPrintable(r.err));
        r = test::runStudio({"train", "--resume", tmp_.filePath("cli-reference")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("finished") && r.err.contains("more epochs"), qPrintable(r.err));
        r = test::runStudio({"train", "--more-epochs", "1"});
        QCOMPARE(r.exitCode, 2);
    }

    // A finished 1-epoch run continued for 1 more equals the 2-epoch run.
    void finishedRunContinuesForMoreEpochs()
    {
        TrainOptions one = resumeOptions();
        one.epochs = 1;
        const std::string extended = tmp_.filePath("one-plus-one").toStdString();
        TrainInputs b = inputs();
        Recorder rb, rc;
        train(b, one, extended, rb);
        QVERIFY_THROWS_EXCEPTION(ConfigError, resumeTraining(extended, 0, rc));
        const TrainResult result = resumeTraining(extended, 1, rc);
        QCOMPARE(result.steps, int64_t(8));
        expectSameAs(reference_, extended);
        QCOMPARE(RunDirectory::open(extended).readRunJson()["options"]["epochs"].get<int>(), 2);
    }

    // Runs of every fate in one folder, found and summed up from their records alone.
    void runLibrarySumsUpEachRun()
    {
        const QString library = tmp_.filePath("library");
        TrainOptions two = resumeOptions();
        two.maxSteps = 2;
        TrainInputs in = inputs();
        Recorder done, stopped;
        train(in, two, (library + "/done").toStdString(), done);
        JobControl job;
        stopped.stopAfter = &job;
        stopped.stopStep = 0;
        train(in, two, (library + "/stopped").toStdString(), stopped, &job);
        struct Failing : TrainObserver {
            void onStep(const StepPoint& p) override
            {
                if (p.step == 1)
                    throw std::runtime_error("the disk is full");
            }
        } failing;
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, train(in, two, (library + "/failed").toStdString(), failing));
        nlohmann::json elsewhere = RunDirectory::open((library + "/done").toStdString()).readRunJson();
        elsewhere["status"] = "running";
        elsewhere["process"] = {{"host", "another-machine"}, {"pid", 1}, {"boot", "x"}};
        // A CLI run of two processes on that machine (torchrun or --nproc 2) writing to the shared folder.
        elsewhere["distributed"] = {{"world_size", 2},
                                    {"backend", "gloo"},
                                    {"ranks", {{{"rank", 0}, {"host", "another-machine"}, {"pid", 1}},
                                               {{"rank", 1}, {"host", "another-machine"}, {"pid", 2}}}},
                                    {"allreduce_bytes_per_step", 1024}};
        for (const char* folder : {"/elsewhere", "/silent", "/broken", "/not-a-run"})
            QDir().mkpath(library + folder);
        writeFileAtomic((library + "/elsewhere/run.json").toStdString(), elsewhere.dump());
        writeFileAtomic((library + "/silent/run.json").toStdString(), elsewhere.dump());
        QFile silent(library + "/silent/run.json");
        QVERIFY(silent.open(QIODevice::ReadWrite));
        QVERIFY(silent.setFileTime(QDateTime::currentDateTime().addSecs(-3600), QFileDevice::FileModificationTime));
        silent.close();
        writeFileAtomic((library + "/broken/run.json").toStdString(), "{ not json");

        const std::vector<RunSummary> runs = findRuns(
            {library.toStdString(), (library + "/done").toStdString(), tmp_.filePath("missing").toStdString()});
        std::map<std::string, RunSummary> byName;
        for (const RunSummary& r : runs)
            byName[r.name] = r;
        QCOMPARE(int(runs.size()), 6);
        QCOMPARE(int(byName.size()), 6);
        const RunSummary& d = byName["done"];
        QCOMPARE(runStatusName(d.status), "finished");
        QCOMPARE(d.stepsDone, int64_t(2));
        QCOMPARE(d.totalSteps, int64_t(2));
        QCOMPARE(d.model, std::string("model"));
        QCOMPARE(d.dataset, std::string("data.json"));
        QVERIFY(d.seconds > 0 && !d.started.empty());
        QVERIFY(d.bestValLoss && d.lastValLoss);
        QCOMPARE(*d.lastValLoss, done.evals.back().valLoss);
        double best = done.evals.front().valLoss;
        for (const EvalPoint& p : done.evals)
            best = std::min(best, p.valLoss);
        QCOMPARE(*d.bestValLoss, best);
        QCOMPARE(runStatusName(byName["stopped"].status), "stopped");
        QCOMPARE(byName["stopped"].stepsDone, int64_t(1));
        QCOMPARE(runStatusName(byName["failed"].status), "failed");
        QCOMPARE(byName["failed"].detail, std::string("the disk is full"));
        QCOMPARE(runStatusName(byName["elsewhere"].status), "running");
        QCOMPARE(byName["elsewhere"].detail, std::string("on another-machine"));
        QCOMPARE(byName["elsewhere"].worldSize, 2);
        QCOMPARE(d.worldSize, 1); // a run in one process records no "distributed"
        QCOMPARE(runStatusName(byName["silent"].status), "failed");
        QVERIFY2(QString::fromStdString(byName["silent"].detail).contains("nothing written for 60 min"),
                 byName["silent"].detail.c_str());
        QCOMPARE(runStatusName(byName["broken"].status), "failed");
        QVERIFY(!byName["broken"].detail.empty());

        // The same library from the command line, as a table and as JSON lines.
        const auto table = test::runStudio({"runs", library});
        QVERIFY2(table.exitCode == 0, qPrintable(table.err));
        QVERIFY2(table.out.contains(QRegularExpression("\\ndone +finished +2/2 ")), qPrintable(table.out));
        QVERIFY2(table.out.contains("the disk is full"), qPrintable(table.out));
        const auto lines = test::runStudio({"runs", "--json", library});
        QStringList statuses;
        for (const QString& line : lines.out.split('\n', Qt::SkipEmptyParts)) {
            const nlohmann::json run = nlohmann::json::parse(line.toStdString());
            statuses << QString::fromStdString(run.at("name").get<std::string>() + "=" + run.at("status").get<std::string>());
        }
        statuses.sort();
        QCOMPARE(statuses, QStringList({"broken=failed", "done=finished", "elsewhere=running", "failed=failed",
                                        "silent=failed", "stopped=stopped"}));

        const std::string renamed = renameRun((library + "/stopped").toStdString(), "renamed");
        QCOMPARE(QFileInfo(QString::fromStdString(renamed)).fileName(), QString("renamed"));
        QCOMPARE(runStatusName(summarizeRun(renamed).status), "stopped");
        QVERIFY_THROWS_EXCEPTION(ConfigError, renameRun(renamed, "done"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, renameRun(renamed, "a/b"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, renameRun((library + "/elsewhere").toStdString(), "moved"));
    }
};

QTEST_GUILESS_MAIN(TestTrainResume)
#include "test_train_resume.moc"
