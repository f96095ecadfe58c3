// The network fault matrix: the judge clients (Ollama's API and the OpenAI-compatible one) and
// the model downloader, each driven the way `score` and `download` drive them, against stand-in
// servers that fail in every way a real one does. Each row asserts what the user must get: the
// run ends in bounded time, with a typed error that names the server and says what to do, or
// with the entry retried into a score; and running again finishes with nothing lost. With
// SFT_FAULT_MATRIX_OUT=FILE the rows, as observed, are written to FILE as a Markdown table (the
// one docs/reliability.md shows).

#include "core/judge/score_run.h"
#include "core/hub/download_error.h"
#include "core/hub/model_download.h"
#include "core/util/files.h"
#include "tests/support/download_attempt.h"
#include "tests/support/fake_hub_server.h"
#include "tests/support/fake_judge_server.h"

#include <QElapsedTimer>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

using namespace sft;
using sft::test::downloadError;
using sft::test::FakeHubServer;
using sft::test::FakeJudgeFaults;
using sft::test::FakeJudgeServer;
using sft::test::FileFaults;
using sft::test::fileBytes;
using sft::test::randomBytes;

namespace {

enum class JudgeFault {
    ServerDown,
    StopsMidRun,
    NeverAnswers,
    SlowFirstByte,
    BusyOnce,
    BusyEveryAttempt,
    RunnerCrash,
    UnknownModel,
    ClosesMidStream,
    ErrorLineMidStream,
    HtmlPage,
    NotHttp,
    NoNumber,
    OutOfRange,
};

// How a scoring run ends: every entry scored, entry 0 failed or unreadable, or the run stopped.
enum class RunEnd { Scored, EntryFailed, EntryUnparseable, Stopped };

enum class HubFault {
    Refused,
    NeverAnswers,
    StallsMidBody,
    DropsMidBody,
    IgnoresRange,
    CorruptBody,
    MissingFile,
    RedirectLoop,
    NotHttp,
};

// Where the user runs the download again: the same server once it is well, or another endpoint.
enum class Rerun { None, SameServer, OtherEndpoint };

const int kEntries = 2;
const RetryPolicy kRetries{3, 5, 20};
const HttpTimeouts kJudgeTimeouts{300, 600, 300};
const DownloadTimeouts kHubTimeouts{500, 500};
const QString kRepo = "openai-community/gpt2";
const std::vector<QString> kModelFiles = {"config.json", "vocab.json", "merges.txt", "model.safetensors"};
const int64_t kCut = 300'000; // where a transfer of the weights breaks off
const int kRowLimitMs = 10'000;

struct MatrixRow {
    QString fault;
    QString client;
    QString sees;
    double seconds = 0;
};

// Ports and scratch folders differ from run to run; the table should not.
QString stable(QString text, const QString& scratch)
{
    text.replace(QRegularExpression("127\\.0\\.0\\.1:\\d+"), "127.0.0.1:PORT");
    return text.replace(scratch + "/", "");
}

QString quoted(const std::string& text) { return "`" + QString::fromStdString(text).replace('`', '\'') + "`"; }

QString markdownCell(QString text) { return text.replace('\n', ' ').replace('|', "\\|"); }

void writeMarkdown(const std::vector<MatrixRow>& rows, const QString& path)
{
    std::ofstream out(path.toStdString());
    out << "| Fault | Client | What the user sees | Seconds |\n|---|---|---|---|\n";
    for (const MatrixRow& r : rows)
        out << "| " << markdownCell(r.fault).toStdString() << " | " << r.client.toStdString() << " | "
            << markdownCell(r.sees).toStdString() << " | " << QString::number(r.seconds, 'f', 2).toStdString()
            << " |\n";
}

bool containsAny(const QString& text, const QStringList& parts)
{
    return std::any_of(parts.begin(), parts.end(), [&](const QString& p) { return text.contains(p); });
}

nlohmann::json responses()
{
    return nlohmann::json::array(
        {{{"instruction", "Rewrite the sentence using a simile."},
          {"input", "The car is very fast."},
          {"output", "The car is as fast as lightning."},
          {"model_response", "The car is as fast as a bullet."}},
         {{"instruction", "Name the capital of France."},
          {"input", ""},
          {"output", "The capital of France is Paris."},
          {"model_response", "Paris is the capital of France."}}});
}

int expectedScore(const nlohmann::json& entry)
{
    Entry e;
    e.instruction = entry["instruction"].get<std::string>();
    e.input = entry["input"].get<std::string>();
    e.output = entry["output"].get<std::string>();
    return FakeJudgeServer::scoreFor(JudgePrompt::chapter().render(e, entry["model_response"].get<std::string>()));
}

QString apiName(JudgeApi api) { return api == JudgeApi::Ollama ? "judge, Ollama API" : "judge, OpenAI-compatible API"; }

QString faultyFile(HubFault fault)
{
    switch (fault) {
    case HubFault::Refused:
    case HubFault::NeverAnswers:
    case HubFault::NotHttp:
        return "config.json";
    case HubFault::MissingFile:
        return "merges.txt";
    default:
        return "model.safetensors";
    }
}

} // namespace

Q_DECLARE_METATYPE(JudgeFault)
Q_DECLARE_METATYPE(RunEnd)
Q_DECLARE_METATYPE(HubFault)
Q_DECLARE_METATYPE(Rerun)
Q_DECLARE_METATYPE(sft::JudgeApi)
Q_DECLARE_METATYPE(sft::JudgeError::Kind)
Q_DECLARE_METATYPE(sft::DownloadError::Kind)

class TestFaultMatrix : public QObject {
    Q_OBJECT

    FakeJudgeServer judge_;
    quint16 judgePort_ = 0;
    std::string judgeUrl_;
    std::unique_ptr<QTemporaryDir> dir_;
    QByteArray weights_ = randomBytes(1 << 20, 7);
    const std::map<QString, QByteArray> served_ = {
        {"config.json", "{\"n_ctx\": 1024, \"n_embd\": 768, \"n_head\": 12, \"n_layer\": 12}"},
        {"vocab.json", "{\"!\": 0, \"\\\"\": 1}"},
        {"merges.txt", "#version: 0.2\n\xc4\xa0 t\n"},
        {"model.safetensors", weights_}};
    std::vector<MatrixRow> rows_;

    QString path(const QString& name) const { return dir_->filePath(name); }

    void record(const QString& fault, const QString& client, const QString& sees, qint64 ms)
    {
        rows_.push_back({fault, client, stable(sees, dir_->path()), ms / 1000.0});
    }

    // --- the judge ---------------------------------------------------------------------------

    ScoreSettings scoreSettings(const std::string& model = "llama3") const
    {
        ScoreSettings s;
        s.responsesPath = path("responses.json").toStdString();
        s.outPath = path("scores.json").toStdString();
        s.retry = kRetries;
        s.model = model;
        return s;
    }

    std::unique_ptr<JudgeClient> judgeClient(JudgeApi api) const
    {
        JudgeServer server;
        server.url = judgeUrl_;
        server.api = api;
        server.timeouts = kJudgeTimeouts;
        return makeJudgeClient(server);
    }

    // The faults that hold from the start of the run; the counted ones hit entry 0's attempts.
    void breakJudge(JudgeFault fault)
    {
        FakeJudgeFaults f;
        f.busy = fault == JudgeFault::BusyOnce ? 1 : fault == JudgeFault::BusyEveryAttempt ? kRetries.maxAttempts : 0;
        f.runnerCrash = fault == JudgeFault::RunnerCrash;
        f.dropMidStream = fault == JudgeFault::ClosesMidStream;
        f.errorMidStream = fault == JudgeFault::ErrorLineMidStream ? kRetries.maxAttempts : 0;
        f.htmlPage = fault == JudgeFault::HtmlPage ? kRetries.maxAttempts : 0;
        f.nonJson = fault == JudgeFault::NoNumber;
        f.outOfRange = fault == JudgeFault::OutOfRange ? kRetries.maxAttempts : 0;
        f.firstByteDelayMs = fault == JudgeFault::SlowFirstByte ? 400 : 0; // past connect and idle, within first byte
        f.notHttp = fault == JudgeFault::NotHttp;
        judge_.setFaults(f);
        if (fault == JudgeFault::ServerDown)
            judge_.close();
    }

    // The faults that begin once entry 0 is scored: the server killed, or hung, mid-run.
    ScoreEvents midRunFault(JudgeFault fault, std::vector<std::string>& notes)
    {
        ScoreEvents events;
        events.note = [&notes](const std::string& line) { notes.push_back(line); };
        events.entryDone = [this, fault](const EntryScore& e) {
            if (e.index != 0)
                return;
            if (fault == JudgeFault::StopsMidRun)
                judge_.close();
            if (fault == JudgeFault::NeverAnswers) {
                FakeJudgeFaults hung;
                hung.silent = true;
                judge_.setFaults(hung);
            }
        };
        return events;
    }

    // The stand-in back up, on the port the clients know, and well.
    void healJudge()
    {
        judge_.setFaults({});
        if (judge_.port() == 0)
            QVERIFY(judge_.listen(judgePort_));
    }

    static QString finishedRunText(const ScoreRunResult& r, const std::vector<std::string>& notes)
    {
        const EntryScore& first = r.entries[0];
        QString text;
        if (!notes.empty())
            text = "note " + quoted(notes.front()) + (notes.size() > 1 ? QString(" (%1 notes)").arg(notes.size()) : "") + ", then ";
        if (first.status == ScoreStatus::Scored)
            return text + QString("scored %1 of %2; entry 0 at attempt %3").arg(r.stats.scored).arg(kEntries).arg(first.attempts);
        return text + QString("entry 0 %1 after %2 attempts (%3 in the scores file), scored %4 of %5")
                          .arg(QString::fromStdString(scoreStatusName(first.status)))
                          .arg(first.attempts)
                          .arg(quoted(first.problem))
                          .arg(r.stats.scored)
                          .arg(kEntries);
    }

    // Running the same command again, with the server well: every entry scored, those scored
    // before kept and not asked again.
    QString rerunText(size_t scoredBefore, JudgeApi api)
    {
        healJudge();
        const ScoreRunResult again = runScoring(*judgeClient(api), scoreSettings());
        const nlohmann::json data = responses();
        if (again.stats.scored != size_t(kEntries) || again.reused != scoredBefore)
            return "FAILED";
        for (size_t i = 0; i < again.entries.size(); ++i)
            if (again.entries[i].score != std::optional<double>(expectedScore(data[i])))
                return "FAILED";
        return QString("; the same command again: %1 of %2 scored, %3 kept").arg(kEntries).arg(kEntries).arg(scoredBefore);
    }

    // --- the downloader ----------------------------------------------------------------------

    std::unique_ptr<FakeHubServer> hub(bool withMerges = true) const
    {
        auto server = std::make_unique<FakeHubServer>();
        for (const auto& [name, bytes] : served_)
            if (withMerges || name != "merges.txt")
                server->addFile(kRepo, name, bytes, name == "model.safetensors");
        return server;
    }

    QByteArray servedBytes(const QString& file) const { return served_.at(file); }

    QString cached(const QString& file) const { return path("cache/gpt2-small/" + file); }

    std::string closedEndpoint() const
    {
        QTcpServer closed;
        closed.listen(QHostAddress::LocalHost);
        return QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()).toStdString();
    }

    void breakHub(HubFault fault, FakeHubServer& server)
    {
        FileFaults f;
        f.silent = fault == HubFault::NeverAnswers;
        f.stallAfter = fault == HubFault::StallsMidBody ? kCut : -1;
        f.dropAfter = fault == HubFault::DropsMidBody ? kCut : -1;
        f.ignoreRange = fault == HubFault::IgnoresRange;
        f.corruptBody = fault == HubFault::CorruptBody;
        f.notHttp = fault == HubFault::NotHttp;
        server.setFaults(faultyFile(fault), f);
        if (fault == HubFault::RedirectLoop) {
            const QByteArray weights = "/" + kRepo.toUtf8() + "/resolve/main/model.safetensors";
            server.addRedirect(weights, weights + "?mirror=1");
            server.addRedirect(weights + "?mirror=1", weights);
        }
        if (fault == HubFault::IgnoresRange) { // what an earlier, interrupted run left
            makeDirectories(path("cache/gpt2-small").toStdString());
            writeFileAtomic(cached("model.safetensors.part").toStdString(), weights_.left(kCut).toStdString());
        }
    }

    // The largest offset a transfer of the weights continued from.
    static ModelDownloadProgressFn resumeWatcher(int64_t& resumedFrom)
    {
        return [&resumedFrom](const ModelFileProgress& p) {
            if (p.file == "model.safetensors" && p.transfer.phase == DownloadProgress::Phase::Receiving)
                resumedFrom = std::max(resumedFrom, p.transfer.resumedFrom);
        };
    }

    void verifyCacheIsWhole()
    {
        for (const QString& file : kModelFiles)
            QVERIFY2(fileBytes(cached(file)) == servedBytes(file), qPrintable(file));
        QCOMPARE(QDir(path("cache/gpt2-small")).entryList(QDir::Files | QDir::Hidden).size(), int(kModelFiles.size()));
    }

    // What the failed run left: the files before the faulty one whole, the faulty one not
    // published, and its .part a true prefix when the transfer can resume.
    void verifyWhatWasKept(HubFault fault, bool resumable)
    {
        const QString bad = faultyFile(fault);
        for (const QString& file : kModelFiles) {
            if (file == bad)
                break;
            QVERIFY2(fileBytes(cached(file)) == servedBytes(file), qPrintable(file));
        }
        QVERIFY(!QFile::exists(cached(bad)));
        const QByteArray part = fileBytes(cached(bad + ".part"));
        if (resumable)
            QVERIFY(part == servedBytes(bad).left(part.size()));
        if (fault == HubFault::StallsMidBody || fault == HubFault::DropsMidBody)
            QVERIFY(part.size() > 0);
        if (fault == HubFault::CorruptBody)
            QVERIFY(!QFile::exists(cached(bad + ".part")));
    }

    // Runs the download again where the user would, and says how it went.
    QString rerunDownload(HubFault fault, Rerun where, FakeHubServer& server)
    {
        const int64_t partBytes = fileBytes(cached(faultyFile(fault) + ".part")).size();
        std::unique_ptr<FakeHubServer> other;
        FakeHubServer* target = &server;
        if (where == Rerun::OtherEndpoint) {
            other = hub();
            target = other.get();
        }
        server.setFaults(faultyFile(fault), {});
        const qsizetype seenBefore = target->requests().size();
        int64_t resumedFrom = 0;
        const ModelDownload again = downloadModel(*findCatalogModel("gpt2-small"), ModelCache(path("cache").toStdString()),
                                                  target->endpoint().toStdString(), kHubTimeouts, resumeWatcher(resumedFrom), nullptr);
        verifyCacheIsWhole();
        const size_t kept = kModelFiles.size() - again.fetched.size();
        for (const auto& request : target->requests().mid(seenBefore))
            for (size_t i = 0; i < kept; ++i)
                if (request.path.endsWith("/" + kModelFiles[i].toUtf8()))
                    return "FAILED: fetched " + kModelFiles[i] + " again";
        if (partBytes > 0 && resumedFrom != partBytes)
            return "FAILED: did not resume";
        if (!again.unverified.empty())
            return "FAILED: not verified";
        QString text = where == Rerun::SameServer ? "; run again: " : "; run again with a working --endpoint: ";
        if (partBytes > 0)
            text += QString("resumes %1 at byte %2, ").arg(faultyFile(fault)).arg(partBytes);
        return text + QString("fetches %1 file(s), keeps %2, all verified").arg(again.fetched.size()).arg(kept);
    }

    static void addJudgeRows(const char* fault, JudgeFault f, RunEnd end, int attempts, JudgeError::Kind kind,
                             const QStringList& ollamaSays, const QStringList& openAiSays = {})
    {
        for (JudgeApi api : {JudgeApi::Ollama, JudgeApi::OpenAi})
            QTest::addRow("%s (%s)", fault, judgeApiName(api).c_str())
                << QString(fault) << f << api << end << attempts << kind
                << (api == JudgeApi::OpenAi && !openAiSays.isEmpty() ? openAiSays : ollamaSays);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(judge_.listen());
        judgePort_ = judge_.port();
        judgeUrl_ = judge_.url();
    }

    void init()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        std::ofstream(path("responses.json").toStdString()) << responses().dump(1);
        healJudge();
    }

    void cleanupTestCase()
    {
        const QString out = qEnvironmentVariable("SFT_FAULT_MATRIX_OUT");
        if (!out.isEmpty())
            writeMarkdown(rows_, out);
    }

    void judgeFaults_data()
    {
        using K = JudgeError::Kind;
        QTest::addColumn<QString>("fault");
        QTest::addColumn<JudgeFault>("judgeFault");
        QTest::addColumn<JudgeApi>("api");
        QTest::addColumn<RunEnd>("end");
        QTest::addColumn<int>("attempts"); // entry 0's, when the run finishes
        QTest::addColumn<JudgeError::Kind>("kind");   // the error's, when the run stops
        QTest::addColumn<QStringList>("says"); // one of these is in the message, note or problem

        const QStringList broken = {"broke in the middle of the answer", "ended before its last line",
                                    "ended without its closing [DONE]"};
        addJudgeRows("server down (connection refused)", JudgeFault::ServerDown, RunEnd::Stopped, 0, K::Unreachable,
                     {"no server answers at", "is the judge server running"});
        addJudgeRows("server killed mid-run, then restarted", JudgeFault::StopsMidRun, RunEnd::Stopped, 0, K::Unreachable,
                     {"1 of 2 scores are saved in"});
        addJudgeRows("accepts and never answers (hangs mid-run)", JudgeFault::NeverAnswers, RunEnd::Stopped, 0, K::Timeout,
                     {"sent nothing for 0.6 s after the request"});
        addJudgeRows("slow first byte (0.4 s, within the 0.6 s first-byte timeout)", JudgeFault::SlowFirstByte,
                     RunEnd::Scored, 1, K::Timeout, {""});
        addJudgeRows("503 busy, once", JudgeFault::BusyOnce, RunEnd::Scored, 2, K::Overloaded, {"answered 503: server busy"});
        addJudgeRows("503 busy on every attempt", JudgeFault::BusyEveryAttempt, RunEnd::EntryFailed, 3, K::Overloaded,
                     {"answered 503: server busy"});
        addJudgeRows("500 model runner crashed, once", JudgeFault::RunnerCrash, RunEnd::Scored, 2, K::Overloaded,
                     {"answered 500: model runner has unexpectedly stopped"});
        addJudgeRows("404 unknown judge model", JudgeFault::UnknownModel, RunEnd::Stopped, 0, K::NotFound,
                     {"model 'mistral' is not available on"});
        addJudgeRows("connection closed mid-stream, once", JudgeFault::ClosesMidStream, RunEnd::Scored, 2, K::Broken, broken);
        addJudgeRows("error line mid-stream, every attempt", JudgeFault::ErrorLineMidStream, RunEnd::EntryFailed, 3,
                     K::Broken, {"stopped the answer with an error"}, {"ended without its closing [DONE]"});
        addJudgeRows("200 with an HTML page (a proxy), every attempt", JudgeFault::HtmlPage, RunEnd::EntryFailed, 3,
                     K::Broken, {"is not a JSON object: <html>"}, {"ended without its closing [DONE]"});
        addJudgeRows("not HTTP at all (random bytes, then closed)", JudgeFault::NotHttp, RunEnd::Stopped, 0, K::Broken,
                     {"closed the connection without an HTTP answer"});
        addJudgeRows("reply without a number, once", JudgeFault::NoNumber, RunEnd::Scored, 2, K::Broken,
                     {"no number in the reply"});
        addJudgeRows("score out of range (150), every attempt", JudgeFault::OutOfRange, RunEnd::EntryUnparseable, 3,
                     K::Broken, {"score 150 is outside 0..100"});
    }

    void judgeFaults()
    {
        QFETCH(QString, fault);
        QFETCH(JudgeFault, judgeFault);
        QFETCH(JudgeApi, api);
        QFETCH(RunEnd, end);
        QFETCH(int, attempts);
        QFETCH(JudgeError::Kind, kind);
        QFETCH(QStringList, says);

        breakJudge(judgeFault);
        std::vector<std::string> notes;
        const ScoreEvents events = midRunFault(judgeFault, notes);
        QElapsedTimer clock;
        clock.start();
        QString sees;
        size_t scoredBefore = 0;
        try {
            const ScoreRunResult r = runScoring(
                *judgeClient(api), scoreSettings(judgeFault == JudgeFault::UnknownModel ? "mistral" : "llama3"), events);
            QVERIFY2(end != RunEnd::Stopped, "the run should have stopped");
            const EntryScore& first = r.entries[0];
            QCOMPARE(first.status, end == RunEnd::Scored        ? ScoreStatus::Scored
                                   : end == RunEnd::EntryFailed ? ScoreStatus::Failed
                                                                : ScoreStatus::Unparseable);
            QCOMPARE(first.attempts, attempts);
            QCOMPARE(r.entries[1].status, ScoreStatus::Scored);
            const QString told = QString::fromStdString(first.problem + (notes.empty() ? "" : notes.front()));
            QVERIFY2(containsAny(told, says), qPrintable(told));
            if (end == RunEnd::EntryFailed)
                QVERIFY2(told.contains(QString::fromStdString(judgeUrl_)), qPrintable(told));
            scoredBefore = r.stats.scored;
            sees = finishedRunText(r, notes);
        } catch (const JudgeError& e) {
            QVERIFY2(end == RunEnd::Stopped, e.what());
            QCOMPARE(e.kind(), kind);
            const QString message = e.what();
            QVERIFY2(containsAny(message, says), e.what());
            QVERIFY2(message.contains(QString::fromStdString(judgeUrl_)), e.what());
            scoredBefore = message.contains("1 of 2 scores are saved") ? 1 : 0;
            sees = "the run stops: " + quoted(e.what());
        }
        const qint64 ran = clock.elapsed();
        QVERIFY2(ran < kRowLimitMs, qPrintable(QString::number(ran)));
        const QString rerun = rerunText(scoredBefore, api);
        QVERIFY2(!rerun.startsWith("FAILED"), qPrintable(rerun));
        record(fault, apiName(api), sees + rerun, ran);
    }

    void downloadFaults_data()
    {
        using K = DownloadError::Kind;
        QTest::addColumn<QString>("fault");
        QTest::addColumn<HubFault>("hubFault");
        QTest::addColumn<bool>("fails");
        QTest::addColumn<DownloadError::Kind>("kind");
        QTest::addColumn<QString>("says");
        QTest::addColumn<Rerun>("rerun");
        QTest::newRow("refused") << "connection refused (nothing listens)" << HubFault::Refused << true << K::Unreachable
                                 << "check the network connection and --endpoint" << Rerun::OtherEndpoint;
        QTest::newRow("never answers") << "accepts and never answers" << HubFault::NeverAnswers << true << K::Timeout
                                       << "within 0.5 s" << Rerun::SameServer;
        QTest::newRow("stalls") << "stalls mid-body (after 300000 bytes)" << HubFault::StallsMidBody << true << K::Timeout
                                << "stopped sending for 0.5 s after 300000 bytes" << Rerun::SameServer;
        QTest::newRow("drops") << "connection dropped mid-body (after 300000 bytes)" << HubFault::DropsMidBody << true
                               << K::Interrupted << "run the download again to resume" << Rerun::SameServer;
        QTest::newRow("ignores range") << "ignores Range when resuming a 300000-byte .part" << HubFault::IgnoresRange
                                       << false << K::Interrupted << "" << Rerun::None;
        QTest::newRow("corrupt") << "corrupt body (one byte flipped)" << HubFault::CorruptBody << true
                                 << K::ChecksumMismatch << "does not match the sha256" << Rerun::SameServer;
        QTest::newRow("404") << "404 missing file" << HubFault::MissingFile << true << K::HttpStatus
                             << "answered HTTP 404 Not Found: the file is not there" << Rerun::OtherEndpoint;
        QTest::newRow("redirect loop") << "redirect loop" << HubFault::RedirectLoop << true << K::BadRedirect
                                       << "redirect loop" << Rerun::OtherEndpoint;
        QTest::newRow("not http") << "not HTTP at all (random bytes, then closed)" << HubFault::NotHttp << true
                                  << K::Unreachable << "closed the connection without an HTTP answer"
                                  << Rerun::OtherEndpoint;
    }

    void downloadFaults()
    {
        QFETCH(QString, fault);
        QFETCH(HubFault, hubFault);
        QFETCH(bool, fails);
        QFETCH(DownloadError::Kind, kind);
        QFETCH(QString, says);
        QFETCH(Rerun, rerun);

        const auto server = hub(hubFault != HubFault::MissingFile);
        const std::string endpoint = hubFault == HubFault::Refused ? closedEndpoint() : server->endpoint().toStdString();
        breakHub(hubFault, *server);
        int64_t resumedFrom = 0;
        QElapsedTimer clock;
        clock.start();
        const auto error = downloadError([&] {
            downloadModel(*findCatalogModel("gpt2-small"), ModelCache(path("cache").toStdString()), endpoint,
                          kHubTimeouts, resumeWatcher(resumedFrom), nullptr);
        });
        const qint64 ran = clock.elapsed();
        QVERIFY2(ran < kRowLimitMs, qPrintable(QString::number(ran)));
        if (!fails) {
            QVERIFY2(!error, error ? error->what() : "");
            verifyCacheIsWhole();
            QCOMPARE(resumedFrom, int64_t(0));
            QCOMPARE(server->requests().last().range, "bytes=" + QByteArray::number(kCut) + "-");
            record(fault, "model download", QString("no error: asks for `bytes=%1-`, gets the whole file (200), starts "
                                                    "model.safetensors over and finishes it, sha256 verified").arg(kCut), ran);
            return;
        }
        QVERIFY2(error, "the download should have failed");
        QCOMPARE(error->kind(), kind);
        const QString message = error->what();
        QVERIFY2(message.contains(says), error->what());
        QVERIFY2(message.contains(QString::fromStdString(hubFileUrl(endpoint, kRepo.toStdString(), faultyFile(hubFault).toStdString()))),
                 error->what());
        QVERIFY2(message.contains("again") || message.contains("--endpoint"), error->what());
        verifyWhatWasKept(hubFault, error->resumable());
        const QString again = rerunDownload(hubFault, rerun, *server);
        QVERIFY2(!again.startsWith("FAILED"), qPrintable(again));
        record(fault, "model download", "the download stops: " + quoted(error->what()) + again, ran);
    }
};

QTEST_GUILESS_MAIN(TestFaultMatrix)
#include "test_fault_matrix.moc"
