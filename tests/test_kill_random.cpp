// Killed at any moment: `train`, `respond` and `score` are each killed with SIGKILL after a
// random (seeded) delay spread over the length of an uninterrupted job, at least 20 times, and
// continued after every kill the way a user would (train --resume, the same respond or score
// command again). After each kill the output reloads with the app's own readers, no file is
// half-written, and nothing completed before the kill is lost: every row, answer and score on
// disk is the uninterrupted run's, and their count never goes down. Each job is let finish and
// must equal the uninterrupted run: losses step for step, answers and scores exactly.

#include "core/util/jsonl_journal.h"
#include "core/generate/responses_file.h"
#include "core/judge/scores_file.h"
#include "core/io/model_folder.h"
#include "core/train/checkpoint_folders.h"
#include "core/train/resume_state.h"
#include "core/train/run_directory.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/judge_process.h"
#include "tests/support/test_support.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

using namespace sft;

namespace {

constexpr int kKillsPerCommand = 20;
constexpr quint32 kSeed = 20261130;
constexpr qint64 kDeadlineMs = 180000; // per command: a job that never ends fails the test

// What the checks after the kills found, for the closing lines.
struct Tally {
    int kills = 0;
    int jobs = 0;
    int tornLines = 0;              // last lines cut mid-write, tolerated on reload
    int hiddenLeftovers = 0;        // .partial / .old checkpoint folders a resume cleans up
    std::map<int64_t, int> landed;  // completed items on disk at a kill -> kills
    int64_t completed = 0;          // items on disk after the latest kill
    bool finished = false;          // the job turned out to be complete at the kill
};

// One command under test. `next` gives the command line that starts or continues the job in
// `out`; `check` runs after every kill; `compare` once the job has finished.
struct Target {
    QString name;
    std::function<QStringList(const QString& out)> next;
    std::function<void(const QString& out, Tally& tally)> check;
    std::function<void(const QString& out)> compare;
    QString checked; // what `check` verifies, in words
};

// Discarded when it does not parse.
nlohmann::json parseJsonFile(const QString& path)
{
    return nlohmann::json::parse(readFile(path.toStdString()), nullptr, false);
}

bool endsTorn(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() == 0)
        return false;
    file.seek(file.size() - 1);
    return file.read(1) != "\n";
}

// A JSON Lines journal read as the app reads it, from a copy, so that the app's own tolerance of
// a torn last line is what the next run exercises.
std::vector<nlohmann::json> journalItems(const QString& path, const QString& scratch, Tally& tally)
{
    if (!QFile::exists(path))
        return {};
    tally.tornLines += endsTorn(path);
    QFile::remove(scratch);
    QFile::copy(path, scratch);
    return JsonlJournal(scratch.toStdString()).items();
}

// Every file of `dir` outside hidden folders: JSON parses, and no temporary file of an atomic
// write (name.json.XXXXXX) is left where results are read.
void verifyNoHalfWrittenFile(const QString& dir, Tally& tally)
{
    static const QRegularExpression temporary(R"(\.(json|jsonl|safetensors|txt|pt)\.\w{6}$)");
    QDirIterator it(dir, QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = QDir(dir).relativeFilePath(path);
        if (relative.contains("/.") && it.fileInfo().isDir()) {
            ++tally.hiddenLeftovers;
            continue;
        }
        if (relative.contains("/.") || it.fileInfo().isDir())
            continue;
        QVERIFY2(!temporary.match(relative).hasMatch(), qPrintable("a temporary file is left: " + relative));
        if (relative.endsWith(".json"))
            QVERIFY2(!parseJsonFile(path).is_discarded(), qPrintable(relative + " does not parse"));
    }
}

bool loadsAsCheckpoint(const std::string& folder)
{
    try {
        if (!hasResumeState(folder))
            return false;
        readTrainingState(folder);
        loadModelFolder(folder);
        return true;
    } catch (const Error&) {
        return false;
    }
}

std::vector<nlohmann::json> withoutTimes(std::vector<nlohmann::json> rows)
{
    for (nlohmann::json& row : rows)
        row.erase("elapsed_s");
    return rows;
}

// rows[i] == reference[i] for every row on disk: whatever was written is the uninterrupted run's.
void verifyPrefix(const std::vector<nlohmann::json>& rows, const std::vector<nlohmann::json>& reference,
                  const char* what)
{
    QVERIFY2(rows.size() <= reference.size(), what);
    for (size_t i = 0; i < rows.size(); ++i)
        QVERIFY2(rows[i] == reference[i], qPrintable(QString("%1 row %2: %3 vs %4")
                                                         .arg(what)
                                                         .arg(i)
                                                         .arg(QString::fromStdString(rows[i].dump()))
                                                         .arg(QString::fromStdString(reference[i].dump()))));
}

// The run folder `out` as a kill left it; tally.completed: the steps of its newest resumable
// checkpoint.
void checkRunAfterKill(const QString& out, const std::vector<nlohmann::json>& refSteps,
                       const std::vector<nlohmann::json>& refMetrics, Tally& tally)
{
    verifyNoHalfWrittenFile(out, tally);
    if (!QFile::exists(out + "/run.json")) {
        QVERIFY(!QFile::exists(out + "/steps.jsonl"));
        tally.completed = 0;
        return;
    }
    const RunDirectory run = RunDirectory::open(out.toStdString());
    const std::string status = run.readRunJson().at("status").get<std::string>();
    QVERIFY2(status == "running" || status == "finished", status.c_str());
    tally.tornLines += endsTorn(out + "/steps.jsonl") + endsTorn(out + "/metrics.jsonl");
    const std::vector<nlohmann::json> steps = run.readSteps();
    verifyPrefix(steps, refSteps, "steps.jsonl");
    verifyPrefix(withoutTimes(run.readMetrics()), refMetrics, "metrics.jsonl");
    const std::string latest = CheckpointFolders(run.checkpointsPath()).latestResumable();
    tally.completed = latest.empty() ? 0 : readTrainingState(latest).stepsDone;
    for (const QString& name : QDir(out + "/checkpoints").entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        QVERIFY2(loadsAsCheckpoint(run.checkpointPath(name.toStdString())),
                 qPrintable(name + " is visible but does not load as a resumable checkpoint"));
    QVERIFY2(int64_t(steps.size()) >= tally.completed, "rows of saved steps are missing");
    tally.finished = status == "finished";
}

QString histogram(const std::map<int64_t, int>& landed)
{
    QStringList parts;
    for (const auto& [items, kills] : landed)
        parts << QString("%1:%2").arg(items).arg(kills);
    return parts.join(' ');
}

enum class Outcome { Finished, Killed, Failed };

// Runs the command that starts or continues the job in `out` and kills it after `delayMs`, or
// lets it finish when `delayMs` is negative. `ranMs`: how long a finished run took.
Outcome runOnce(const Target& target, const QString& out, int delayMs, qint64& ranMs)
{
    QElapsedTimer clock;
    clock.start();
    QProcess process;
    process.start(QStringLiteral(SFT_BINARY), target.next(out));
    if (!process.waitForStarted()) {
        QTest::qFail("sft-studio did not start", __FILE__, __LINE__);
        return Outcome::Failed;
    }
    if (!process.waitForFinished(delayMs < 0 ? 120000 : delayMs)) {
        process.kill();
        process.waitForFinished();
        if (delayMs < 0) {
            QTest::qFail(qPrintable(target.name + " did not finish"), __FILE__, __LINE__);
            return Outcome::Failed;
        }
    }
    if (process.exitStatus() == QProcess::CrashExit)
        return Outcome::Killed;
    if (process.exitCode() != 0) {
        QTest::qFail(qPrintable(target.name + " failed: " + process.readAllStandardError()), __FILE__, __LINE__);
        return Outcome::Failed;
    }
    ranMs = clock.elapsed();
    return Outcome::Finished;
}

// Kills and continues the job in `out` until it finishes (without a kill once `tally` has all
// its kills), checking after every kill and comparing at the end. A first run that finishes
// before its kill shortens `jobMs` to its length, so that delays keep spanning a whole job when
// the machine gets faster. False when a check failed.
bool killOneJob(const Target& target, const QString& out, qint64& jobMs, QRandomGenerator& random,
                const QDeadlineTimer& deadline, Tally& tally)
{
    Tally job;
    for (bool first = true;; first = false) {
        if (deadline.hasExpired()) {
            QTest::qFail(qPrintable(QString("past the deadline after %1 kills").arg(tally.kills)), __FILE__, __LINE__);
            return false;
        }
        const int64_t before = job.completed;
        qint64 ranMs = 0;
        const int delayMs = tally.kills >= kKillsPerCommand ? -1 : int(random.bounded(jobMs));
        const Outcome outcome = runOnce(target, out, delayMs, ranMs);
        if (outcome == Outcome::Failed)
            return false;
        if (outcome == Outcome::Finished) {
            if (first)
                jobMs = std::min(jobMs, ranMs);
            break;
        }
        ++tally.kills;
        target.check(out, job);
        if (QTest::currentTestFailed())
            return false;
        ++tally.landed[job.completed];
        if (job.completed < before) {
            const QString lost = QString("%1 items after a kill, %2 before it").arg(job.completed).arg(before);
            QTest::qFail(qPrintable(lost), __FILE__, __LINE__);
            return false;
        }
        if (job.finished)
            break;
    }
    target.compare(out);
    tally.tornLines += job.tornLines;
    tally.hiddenLeftovers += job.hiddenLeftovers;
    return !QTest::currentTestFailed();
}

// Jobs of `target` (in root/NAME/job-N) until it has been killed kKillsPerCommand times and the
// last job has finished; returns what the checks saw.
Tally killAtRandom(const Target& target, const QString& root, qint64 jobMs, QRandomGenerator& random)
{
    Tally tally;
    QElapsedTimer clock;
    clock.start();
    const QDeadlineTimer deadline(kDeadlineMs);
    QDir().mkpath(root + "/" + target.name);
    while (tally.kills < kKillsPerCommand) {
        const QString out = root + QString("/%1/job-%2").arg(target.name).arg(++tally.jobs);
        if (!killOneJob(target, out, jobMs, random, deadline, tally))
            return tally;
    }
    qInfo("%s: %d kills (SIGKILL, seed %u, delays from 0 to the length of an uninterrupted job, %lld ms at the "
          "end) over %d jobs in %.1f s; each job then finished and equalled the uninterrupted run. Completed items "
          "on disk at the kills (items:kills): %s. Torn last lines tolerated: %d; hidden half-written checkpoint "
          "folders seen after kills (removed by the next run): %d. After each kill: %s",
          qPrintable(target.name), tally.kills, kSeed, jobMs, tally.jobs, clock.elapsed() / 1000.0,
          qPrintable(histogram(tally.landed)), tally.tornLines, tally.hiddenLeftovers,
          qPrintable(target.checked));
    return tally;
}

qint64 timed(const QStringList& args)
{
    QElapsedTimer clock;
    clock.start();
    const auto r = test::runStudio(args);
    if (r.exitCode != 0)
        QTest::qFail(qPrintable(args.first() + " failed: " + r.err), __FILE__, __LINE__);
    return clock.elapsed();
}

// Jobs of a few seconds: 5 training steps, each followed by a resumable checkpoint (about half
// of the job's time goes to writing them); 24 batches of answers; 30 judgements.
const QStringList kTrainOptions = {"--epochs", "1", "--max-length", "32", "--batch-size", "4", "--eval-freq", "2",
                                   "--eval-iter", "1", "--sample-tokens", "2", "--save-every", "1", "--keep-last", "1"};
const QStringList kRespondOptions = {"--split", "all", "--max-new-tokens", "32", "--batch-size", "4"};
constexpr int kAnswered = 96;
constexpr int kJudged = 30;

} // namespace

class TestKillRandom : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    QString model_, data_, respondData_, responses_;
    QRandomGenerator random_{kSeed};

    QString path(const QString& name) const { return tmp_.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        torch::set_num_threads(1);
        model_ = QString::fromStdString(test::makeTinyModelFolder(path("model")));
        data_ = QString::fromStdString(test::writeChapterSlice(path("data.json"), 24));
        respondData_ = QString::fromStdString(test::writeChapterSlice(path("respond-data.json"), kAnswered));
        const std::string chapterResponses = test::sharedPath("data/instruction-data-with-response.json");
        const auto judged = nlohmann::json::parse(readFile(chapterResponses));
        responses_ = path("judged.json");
        writeFileAtomic(responses_.toStdString(), nlohmann::json(judged.begin(), judged.begin() + kJudged).dump(1));
    }

    void trainKilledAtRandom()
    {
        const QString reference = path("train-reference");
        const qint64 jobMs =
            timed(QStringList{"train", "--model", model_, "--data", data_, "--out", reference} + kTrainOptions);
        const RunDirectory ref = RunDirectory::open(reference.toStdString());
        const std::vector<nlohmann::json> refSteps = ref.readSteps(), refMetrics = withoutTimes(ref.readMetrics());
        QCOMPARE(refSteps.size(), size_t(5));

        Target t;
        t.name = "train";
        t.checked = "run.json parses (RunDirectory::open) and says running or finished; steps.jsonl and metrics.jsonl "
                    "reload (readSteps, readMetrics) and every row equals the uninterrupted run's; every visible "
                    "checkpoint has its resume state and loads as a model; every JSON file parses, no temporary file is left; the steps of the newest "
                    "resumable checkpoint never go down and all their rows are there. The job continues with train "
                    "--resume (or the first command again when the kill came before run.json was written).";
        t.next = [&](const QString& out) {
            if (!QFile::exists(out + "/run.json"))
                return QStringList{"train", "--model", model_, "--data", data_, "--out", out} + kTrainOptions;
            return QStringList{"train", "--resume", out};
        };
        t.check = [&](const QString& out, Tally& tally) { checkRunAfterKill(out, refSteps, refMetrics, tally); };
        t.compare = [&](const QString& out) {
            const RunDirectory run = RunDirectory::open(out.toStdString());
            QCOMPARE(run.readRunJson()["status"].get<std::string>(), std::string("finished"));
            QVERIFY(run.readSteps() == refSteps);
            QVERIFY(withoutTimes(run.readMetrics()) == refMetrics);
            QCOMPARE(sha256OfFile(run.checkpointPath("final") + "/model.safetensors"),
                     sha256OfFile(ref.checkpointPath("final") + "/model.safetensors"));
            const QDir checkpoints(QString::fromStdString(run.checkpointsPath()));
            QVERIFY(checkpoints.entryList({".*"}, QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot).isEmpty());
        };
        const Tally tally = killAtRandom(t, tmp_.path(), jobMs, random_);
        QVERIFY(tally.kills >= kKillsPerCommand);
    }

    void respondKilledAtRandom()
    {
        const QString reference = path("responses-reference.json");
        const QStringList command = QStringList{"respond", "--model", model_, "--data", respondData_} + kRespondOptions;
        const qint64 jobMs = timed(command + QStringList{"--out", reference});
        const Responses expected = loadResponses(reference.toStdString(), "model_response");
        QCOMPARE(expected.answers.size(), size_t(kAnswered));
        const QByteArray expectedBytes = QByteArray::fromStdString(readFile(reference.toStdString()));
        QVERIFY(!QFile::exists(reference + ".journal.jsonl"));

        Target t;
        t.name = "respond";
        t.checked = "OUT.journal.jsonl reloads (JsonlJournal, from a copy) and every answer in it equals the "
                    "uninterrupted run's answer to that entry; OUT, when there, loads (loadResponses) with every "
                    "entry answered; no temporary file is left; the answers kept never go down. The job continues "
                    "with the same command.";
        t.next = [&](const QString& out) { return command + QStringList{"--out", out + ".json"}; };
        t.check = [&](const QString& out, Tally& tally) {
            verifyNoHalfWrittenFile(QFileInfo(out).path(), tally);
            const QString file = out + ".json";
            std::set<size_t> answered;
            for (const nlohmann::json& item : journalItems(file + ".journal.jsonl", path("journal-copy"), tally)) {
                const size_t index = item.at("index").get<size_t>();
                QVERIFY2(item.at("answer") == expected.answers.at(index), qPrintable(QString::number(index)));
                QVERIFY2(answered.insert(index).second, "an answer is in the journal twice");
            }
            if (QFile::exists(file)) {
                const Responses written = loadResponses(file.toStdString(), "model_response");
                QCOMPARE(written.answers, expected.answers);
                answered.clear();
                for (size_t i = 0; i < written.answers.size(); ++i)
                    answered.insert(i);
            }
            tally.completed = int64_t(answered.size());
        };
        t.compare = [&](const QString& out) {
            QCOMPARE(QByteArray::fromStdString(readFile((out + ".json").toStdString())), expectedBytes);
            QVERIFY(!QFile::exists(out + ".json.journal.jsonl"));
        };
        const Tally tally = killAtRandom(t, tmp_.path(), jobMs, random_);
        QVERIFY(tally.kills >= kKillsPerCommand);
    }

    void scoreKilledAtRandom()
    {
        test::JudgeProcess judge({"--first-byte-delay-ms", "40"});
        const auto command = [&](const QString& out) {
            return QStringList{"score", "--responses", responses_, "--judge-url", judge.url(), "--judge-model",
                               "llama3", "--out", out};
        };
        const QString reference = path("scores-reference.json");
        const qint64 jobMs = timed(command(reference));
        const StoredScores expected = loadStoredScores(reference.toStdString());
        QCOMPARE(expected.entries.size(), size_t(kJudged));

        Target t;
        t.name = "score";
        t.checked = "OUT.journal.jsonl reloads (JsonlJournal, from a copy), every line is a valid EntryScore equal to "
                    "the uninterrupted run's for that entry and no entry is scored twice; OUT, when there, loads "
                    "(loadStoredScores); no temporary file is left; the scores kept never go down. The job continues "
                    "with the same command.";
        t.next = [&](const QString& out) { return command(out + ".json"); };
        t.check = [&](const QString& out, Tally& tally) {
            verifyNoHalfWrittenFile(QFileInfo(out).path(), tally);
            const QString file = out + ".json";
            std::set<size_t> scored;
            for (const nlohmann::json& item : journalItems(file + ".journal.jsonl", path("journal-copy"), tally)) {
                const EntryScore e = EntryScore::fromJson(item);
                QVERIFY2(item == expected.entries.at(e.index).toJson(), item.dump().c_str());
                QVERIFY2(scored.insert(e.index).second, "an entry is scored twice");
            }
            if (QFile::exists(file))
                QCOMPARE(loadStoredScores(file.toStdString()).entries.size(), size_t(kJudged));
            tally.completed = int64_t(scored.size());
        };
        t.compare = [&](const QString& out) {
            const nlohmann::json a = parseJsonFile(reference), b = parseJsonFile(out + ".json");
            for (const char* key : {"scores", "entries", "summary"})
                QVERIFY2(a[key] == b[key], key);
        };
        const Tally tally = killAtRandom(t, tmp_.path(), jobMs, random_);
        QVERIFY(tally.kills >= kKillsPerCommand);
    }
};

QTEST_GUILESS_MAIN(TestKillRandom)
#include "test_kill_random.moc"
