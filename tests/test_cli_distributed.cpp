// Data-parallel training (issue 21): `train --nproc N` and ranks started by hand with torchrun's
// environment compute the steps of a run in one process; a rank that dies or hangs stops the
// others with its name; ranks that disagree are refused before anything is written.

#include "core/io/model_folder.h"
#include "core/train/run_directory.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"

#include <torch/torch.h>

#include <QElapsedTimer>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <signal.h>

#include <cmath>

using namespace sft;

namespace {

// The run's first steps, fast and deterministic: fp32 (bf16 rounds differently for other batch
// shapes), no epoch-end sample.
const QStringList kShort = {"--max-steps", "3", "--no-shuffle", "--eval-freq", "1", "--eval-iter", "2",
                            "--precision", "fp32", "--sample-tokens", "0"};

QProcessEnvironment rankEnvironment(int rank, int world, int port)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("RANK", QString::number(rank));
    env.insert("WORLD_SIZE", QString::number(world));
    env.insert("MASTER_ADDR", "127.0.0.1");
    env.insert("MASTER_PORT", QString::number(port));
    env.insert("SFT_STUDIO_THREADS", "1");
    return env;
}

std::unique_ptr<QProcess> startStudio(const QStringList& args, const QProcessEnvironment& env)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(env);
    p->start(QStringLiteral(SFT_BINARY), args);
    return p;
}

int freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

std::vector<double> column(const std::vector<nlohmann::json>& rows, const char* key)
{
    std::vector<double> values;
    for (const nlohmann::json& r : rows)
        values.push_back(r.at(key).get<double>());
    return values;
}

// absolute: for values that are differences of larger ones (DPO's rewards), whose rounding is
// that of what they are the difference of.
QString relativeMismatch(const std::vector<double>& a, const std::vector<double>& b, double tolerance,
                         double absolute = 0)
{
    if (a.size() != b.size())
        return QString("%1 values against %2").arg(a.size()).arg(b.size());
    for (size_t i = 0; i < a.size(); ++i)
        if (std::abs(a[i] - b[i]) > tolerance * std::abs(b[i]) + absolute)
            return QString("value %1: %2 against %3").arg(i).arg(a[i], 0, 'g', 10).arg(b[i], 0, 'g', 10);
    return {};
}

double largestRelative(const std::vector<double>& a, const std::vector<double>& b)
{
    double largest = 0;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        largest = std::max(largest, std::abs(a[i] - b[i]) / std::abs(b[i]));
    return largest;
}

// How far apart the two runs' final weights are, relative to the weights: over all of them (the
// norm of the difference over the norm of the weights) and at worst (the largest difference over
// the largest weight), the keys' bias left out: its gradient is zero but for rounding (a softmax
// does not see a constant added to every score), which AdamW scales up to steps of the learning
// rate's size, so no two batch shapes need agree on it.
std::pair<double, double> weightsDifference(const std::string& runA, const std::string& runB)
{
    const LoadedModel a = loadModelFolder(runA + "/checkpoints/final");
    const LoadedModel b = loadModelFolder(runB + "/checkpoints/final");
    const auto pa = a.model->named_parameters(), pb = b.model->named_parameters();
    double difference = 0, norm = 0, largestDifference = 0, largest = 0;
    for (const auto& p : pa) {
        torch::Tensor d = (p.value() - pb[p.key()]).to(torch::kFloat64);
        if (p.key().size() >= 11 && p.key().compare(p.key().size() - 11, 11, "c_attn.bias") == 0) {
            const int64_t third = d.size(0) / 3; // query, key, value
            d.narrow(0, third, third).zero_();
        }
        difference += d.square().sum().item<double>();
        norm += p.value().to(torch::kFloat64).square().sum().item<double>();
        largestDifference = std::max(largestDifference, d.abs().max().item<double>());
        largest = std::max(largest, p.value().abs().max().item<double>());
    }
    return {std::sqrt(difference / norm), largestDifference / largest};
}

} // namespace

class TestCliDistributed : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString model_, data_;

    QStringList inputs(const QString& out, const QString& data = {}) const
    {
        return {"train", "--model", model_, "--data", data.isEmpty() ? data_ : data, "--out", out};
    }
    std::string path(const QString& name) const { return tmp_.filePath(name).toStdString(); }

    // The run NAME-one in one process and NAME-two in two.
    void trainInOneAndTwo(const QString& name, const QStringList& flags, const QString& data = {})
    {
        auto r = test::runStudio(inputs(tmp_.filePath(name + "-one"), data) + flags);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = test::runStudio(inputs(tmp_.filePath(name + "-two"), data) + flags + QStringList{"--nproc", "2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("Ep 1 (Step 000002): Train loss"), qPrintable(r.out)); // rank 0's lines, as one process prints them
    }

    // The same run in 1 and 2 processes: per-step and evaluation losses and the final weights agree.
    void compareRuns(const QString& one, const QString& two)
    {
        const RunDirectory a = RunDirectory::open(one.toStdString()), b = RunDirectory::open(two.toStdString());
        QString problem = relativeMismatch(column(b.readSteps(), "loss"), column(a.readSteps(), "loss"), 1e-5);
        QVERIFY2(problem.isEmpty(), qPrintable("step losses: " + problem));
        QCOMPARE(column(b.readSteps(), "tokens_seen"), column(a.readSteps(), "tokens_seen"));
        problem = relativeMismatch(column(b.readMetrics(), "val_loss"), column(a.readMetrics(), "val_loss"), 1e-5);
        QVERIFY2(problem.isEmpty(), qPrintable("validation losses: " + problem));
        problem = relativeMismatch(column(b.readMetrics(), "train_loss"), column(a.readMetrics(), "train_loss"), 1e-5);
        QVERIFY2(problem.isEmpty(), qPrintable("training losses: " + problem));
        const auto [overall, worst] = weightsDifference(one.toStdString(), two.toStdString());
        qInfo("step losses differ by at most %g relative; final weights by %g overall, %g at worst",
              largestRelative(column(b.readSteps(), "loss"), column(a.readSteps(), "loss")), overall, worst);
        QVERIFY2(overall < 1e-5 && worst < 1e-5,
                 qPrintable(QString("final weights differ by %1 overall, %2 at worst").arg(overall).arg(worst)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        model_ = QString::fromStdString(test::makeTinyModelFolder(tmp_.filePath("model")));
        data_ = QString::fromStdString(test::writeChapterSlice(tmp_.filePath("slice.json"), 120));
    }

    // Acceptance 1: three unshuffled steps in 2 processes are those of 1; run.json records the
    // ranks, each rank keeps a log, and nothing but rank 0 writes the run.
    void twoProcessesComputeTheStepsOfOne()
    {
        trainInOneAndTwo("plain", kShort);
        if (QTest::currentTestFailed())
            return;
        compareRuns(tmp_.filePath("plain-one"), tmp_.filePath("plain-two"));
        if (QTest::currentTestFailed())
            return;
        const nlohmann::json run = RunDirectory::open(path("plain-two")).readRunJson();
        QCOMPARE(run.at("/distributed/world_size"_json_pointer).get<int>(), 2);
        QCOMPARE(run.at("/distributed/ranks"_json_pointer).size(), size_t(2));
        QCOMPARE(run.at("/options/processes"_json_pointer).get<int>(), 2);
        QVERIFY(run.at("/distributed/allreduce_bytes_per_step"_json_pointer).get<int64_t>() > 4 * 3000000);
        QVERIFY(fileExists(path("plain-two") + "/logs/rank-1.log"));
        QVERIFY(RunDirectory::open(path("plain-two")).readSteps().front().contains("allreduce_seconds"));
    }

    // Acceptance 1: with shuffling, 2 evaluations, accumulation, clipping, a schedule, early
    // stopping and the best checkpoint.
    void shuffledRunWithTheTrainingFeatures()
    {
        const QStringList flags = {"--max-steps", "4", "--eval-freq", "2", "--eval-iter", "2", "--precision", "fp32",
                                   "--sample-tokens", "0", "--grad-accum", "2", "--max-grad-norm", "0.5",
                                   "--lr-schedule", "cosine", "--warmup-steps", "1",
                                   "--early-stopping-patience", "5", "--keep-best"};
        trainInOneAndTwo("shuffled", flags);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(RunDirectory::open(path("shuffled-two")).readMetrics().size(), size_t(2));
        QVERIFY(fileExists(path("shuffled-two") + "/checkpoints/best/best.json"));
        compareRuns(tmp_.filePath("shuffled-one"), tmp_.filePath("shuffled-two"));
    }

    // LoRA's random adapters are rank 0's on every rank.
    void loraInTwoProcesses()
    {
        const QStringList flags = kShort + QStringList{"--lora", "--lora-rank", "4", "--lr", "1e-3"};
        trainInOneAndTwo("lora", flags);
        if (QTest::currentTestFailed())
            return;
        const QString problem = relativeMismatch(column(RunDirectory::open(path("lora-two")).readSteps(), "loss"),
                                                 column(RunDirectory::open(path("lora-one")).readSteps(), "loss"), 1e-5);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // DPO shares pairs (a chosen and its rejected answer on one rank); its rewards add up as its loss does.
    void dpoInTwoProcesses()
    {
        const QString prefs = QString::fromStdString(test::writePreferenceSlice(tmp_.filePath("prefs.json"), 60));
        const QStringList flags = kShort + QStringList{"--method", "dpo", "--batch-size", "4", "--lr", "1e-4"};
        trainInOneAndTwo("dpo", flags, prefs);
        if (QTest::currentTestFailed())
            return;
        const RunDirectory one = RunDirectory::open(path("dpo-one")), two = RunDirectory::open(path("dpo-two"));
        QString problem = relativeMismatch(column(two.readSteps(), "loss"), column(one.readSteps(), "loss"), 1e-5);
        QVERIFY2(problem.isEmpty(), qPrintable("losses: " + problem));
        // beta (0.1) times a difference of mean log-probabilities near -10, rounded to fp32's 1e-6 of those
        for (const char* key : {"chosen_reward", "rejected_reward"}) {
            problem = relativeMismatch(column(two.readSteps(), key), column(one.readSteps(), key), 0, 1e-5);
            QVERIFY2(problem.isEmpty(), qPrintable(QString(key) + ": " + problem));
        }
        problem = relativeMismatch(column(two.readMetrics(), "val_loss"), column(one.readMetrics(), "val_loss"), 1e-5);
        QVERIFY2(problem.isEmpty(), qPrintable("validation losses: " + problem));
    }

    // bf16 autocast with fp32 master weights in every rank; the matrices a rank multiplies are
    // smaller, so the losses agree to bf16's rounding, not to fp32's.
    void bf16InTwoProcesses()
    {
        QStringList flags = kShort;
        flags[flags.indexOf("fp32")] = "bf16";
        trainInOneAndTwo("bf16", flags);
        if (QTest::currentTestFailed())
            return;
        const QString problem = relativeMismatch(column(RunDirectory::open(path("bf16-two")).readSteps(), "loss"),
                                                 column(RunDirectory::open(path("bf16-one")).readSteps(), "loss"), 1e-2);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // Acceptance 2: two ranks started by hand with torchrun's variables are `--nproc 2`.
    void torchrunEnvironmentByHand()
    {
        const int port = freePort();
        auto rank0 = startStudio(inputs(tmp_.filePath("by-hand")) + kShort, rankEnvironment(0, 2, port));
        auto rank1 = startStudio(inputs(tmp_.filePath("by-hand")) + kShort, rankEnvironment(1, 2, port));
        QVERIFY(rank0->waitForFinished(120000) && rank1->waitForFinished(120000));
        QVERIFY2(rank0->exitCode() == 0, rank0->readAllStandardError().constData());
        QVERIFY2(rank1->exitCode() == 0, rank1->readAllStandardError().constData());
        if (!fileExists(path("plain-two") + "/run.json"))
            QSKIP("needs twoProcessesComputeTheStepsOfOne's run");
        compareRuns(tmp_.filePath("plain-two"), tmp_.filePath("by-hand"));
    }

    // Acceptance 1 and 3: rank 1 killed after a checkpoint stops the run, which names it, and the
    // run resumed in one process ends with the losses of an uninterrupted run.
    void killedRankResumesInOneProcess()
    {
        const QStringList flags = {"--max-steps", "40", "--eval-freq", "10", "--eval-iter", "1", "--precision",
                                   "fp32", "--sample-tokens", "0", "--save-every", "2", "--batch-size", "4"};
        auto r = test::runStudio(inputs(tmp_.filePath("whole")) + flags);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        const std::string run = path("killed");
        auto launcher = startStudio(inputs(tmp_.filePath("killed")) + flags + QStringList{"--nproc", "2", "--dist-timeout", "20"},
                                    QProcessEnvironment::systemEnvironment());
        QElapsedTimer waited;
        waited.start();
        while (!fileExists(run + "/checkpoints/step-000002/trainer-state.json") && waited.elapsed() < 60000)
            QTest::qWait(20);
        const nlohmann::json record = RunDirectory::open(run).readRunJson();
        const pid_t rank1 = pid_t(record.at("/distributed/ranks/1/pid"_json_pointer).get<int64_t>());
        QVERIFY(kill(rank1, SIGKILL) == 0);
        QVERIFY(launcher->waitForFinished(60000));
        const QString err = launcher->readAllStandardError();
        QVERIFY2(launcher->exitCode() != 0, qPrintable(err));
        QVERIFY2(err.contains("rank 1") && err.contains("signal 9"), qPrintable(err));
        QVERIFY2(err.contains("--resume"), qPrintable(err));

        r = test::runStudio({"train", "--resume", tmp_.filePath("killed"), "--nproc", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString problem = relativeMismatch(column(RunDirectory::open(run).readSteps(), "loss"),
                                                 column(RunDirectory::open(path("whole")).readSteps(), "loss"), 1e-5);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(RunDirectory::open(run).readRunJson().at("status").get<std::string>(), std::string("finished"));
    }

    // Acceptance 3: a rank killed mid-run, or one that hangs, ends the other within the timeout,
    // naming it.
    void deadOrHungRankStopsTheOther_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("killed") << int(SIGKILL);
        QTest::newRow("hung") << int(SIGSTOP);
    }
    void deadOrHungRankStopsTheOther()
    {
        QFETCH(int, signal);
        const QString out = tmp_.filePath(QString("fault-%1").arg(signal));
        const QStringList args = inputs(out) + QStringList{"--max-steps", "1000", "--precision", "fp32",
                                                          "--sample-tokens", "0", "--dist-timeout", "5"};
        const int port = freePort();
        auto rank0 = startStudio(args, rankEnvironment(0, 2, port));
        auto rank1 = startStudio(args, rankEnvironment(1, 2, port));
        QElapsedTimer waited;
        waited.start();
        while ((!fileExists(out.toStdString() + "/steps.jsonl") ||
                RunDirectory::open(out.toStdString()).readSteps().size() < 2) &&
               waited.elapsed() < 60000)
            QTest::qWait(20);
        ::kill(pid_t(rank1->processId()), signal);
        waited.restart();
        const bool ended = rank0->waitForFinished(30000);
        const qint64 seconds = waited.elapsed() / 1000;
        ::kill(pid_t(rank1->processId()), SIGKILL);
        rank1->waitForFinished();
        QVERIFY(ended);
        QVERIFY2(seconds <= 5 + 8, qPrintable(QString("rank 0 took %1 s to stop").arg(seconds)));
        const QString err = rank0->readAllStandardError();
        QVERIFY2(rank0->exitCode() != 0, qPrintable(err));
        QVERIFY2(err.contains("rank 1 (host "), qPrintable(err));
        QCOMPARE(RunDirectory::open(out.toStdString()).readRunJson().at("status").get<std::string>(), std::string("failed"));
    }

    // Acceptance 3: refused before training with a clear error, and no run folder is left.
    void portInUseIsRefused()
    {
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::Any, 0));
        QProcess rank0;
        rank0.setProcessEnvironment(rankEnvironment(0, 2, holder.serverPort()));
        rank0.start(QStringLiteral(SFT_BINARY), inputs(tmp_.filePath("port")) + kShort);
        QVERIFY(rank0.waitForFinished(60000));
        const QString err = rank0.readAllStandardError();
        QVERIFY(rank0.exitCode() != 0);
        QVERIFY2(err.contains(QString("MASTER_PORT %1 is in use").arg(holder.serverPort())), qPrintable(err));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("port")));
    }

    void unreachableRendezvousIsRefused()
    {
        QProcess rank1;
        rank1.setProcessEnvironment(rankEnvironment(1, 2, freePort()));
        rank1.start(QStringLiteral(SFT_BINARY), inputs(tmp_.filePath("unreachable")) + kShort +
                                                    QStringList{"--dist-timeout", "3"});
        QVERIFY(rank1.waitForFinished(60000));
        const QString err = rank1.readAllStandardError();
        QVERIFY(rank1.exitCode() != 0);
        QVERIFY2(err.contains("could not reach the rendezvous at 127.0.0.1:"), qPrintable(err));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("unreachable")));
    }

    void ranksThatDisagreeAreRefused_data()
    {
        QTest::addColumn<int>("otherWorld");
        QTest::addColumn<bool>("otherData");
        QTest::addColumn<QString>("message");
        QTest::newRow("world size") << 4 << false << "was started with WORLD_SIZE=4";
        QTest::newRow("dataset") << 2 << true << "in its dataset";
    }
    void ranksThatDisagreeAreRefused()
    {
        QFETCH(int, otherWorld);
        QFETCH(bool, otherData);
        QFETCH(QString, message);
        const QString out = tmp_.filePath("disagree-" + QString::fromUtf8(QTest::currentDataTag()));
        const QString other = QString::fromStdString(test::writeChapterSlice(tmp_.filePath("other.json"), 100));
        const int port = freePort();
        auto rank0 = startStudio(inputs(out) + kShort + QStringList{"--dist-timeout", "20"}, rankEnvironment(0, 2, port));
        auto rank1 = startStudio(inputs(out, otherData ? other : QString()) + kShort + QStringList{"--dist-timeout", "20"},
                                 rankEnvironment(1, otherWorld, port));
        QVERIFY(rank0->waitForFinished(60000) && rank1->waitForFinished(60000));
        const QString err0 = rank0->readAllStandardError(), err1 = rank1->readAllStandardError();
        QVERIFY(rank0->exitCode() != 0 && rank1->exitCode() != 0);
        QVERIFY2(err0.contains(message) || err1.contains(message), qPrintable(err0 + "\n" + err1));
        QVERIFY2(!QFileInfo::exists(out), "a refused run left its folder behind");
    }

    void batchThatDoesNotDivideIsRefused()
    {
        const auto r = test::runStudio(inputs(tmp_.filePath("three")) + kShort + QStringList{"--nproc", "3"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("must divide by the number of processes (3)"), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("three")));
    }
};

QTEST_GUILESS_MAIN(TestCliDistributed)
#include "test_cli_distributed.moc"
