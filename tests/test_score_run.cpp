// Scoring and pairwise runs against the in-process stand-in server: the result file and its
// journal, resuming (nothing scored twice, nothing lost) after a rerun, a server that goes
// away, a cancel and a torn journal line, and the refusal to mix scores of different setups.

#include "core/judge/pairwise.h"
#include "core/judge/score_run.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/fake_judge_server.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace sft;
using sft::test::FakeJudgeFaults;
using sft::test::FakeJudgeServer;

namespace {

// The first `count` entries of the chapter's responses file, entry 3's answer made empty.
nlohmann::json chapterResponses(size_t count)
{
    const nlohmann::json all = nlohmann::json::parse(readFile(test::sharedPath("data/instruction-data-with-response.json")));
    nlohmann::json some(all.begin(), all.begin() + long(count));
    some[3]["model_response"] = "";
    return some;
}

std::string writeJson(const QTemporaryDir& dir, const std::string& name, const nlohmann::json& value)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path) << value.dump(1);
    return path;
}

Entry entryOf(const nlohmann::json& j)
{
    Entry e;
    e.instruction = j["instruction"].get<std::string>();
    e.input = j["input"].get<std::string>();
    e.output = j["output"].get<std::string>();
    return e;
}

int lineCount(const std::string& path)
{
    std::ifstream in(path);
    int lines = 0;
    for (std::string line; std::getline(in, line);)
        ++lines;
    return lines;
}

} // namespace

class TestScoreRun : public QObject {
    Q_OBJECT

    FakeJudgeServer fake;
    std::unique_ptr<QTemporaryDir> dir;
    std::string responsesPath;
    std::string answerLog;
    nlohmann::json responses;

    ScoreSettings settings(const std::string& out)
    {
        ScoreSettings s;
        s.responsesPath = responsesPath;
        s.outPath = dir->filePath(QString::fromStdString(out)).toStdString();
        s.retry = {2, 5, 10};
        return s;
    }

    std::unique_ptr<JudgeClient> client()
    {
        JudgeServer server;
        server.url = fake.url();
        server.timeouts = {1000, 2000, 2000};
        return makeJudgeClient(server);
    }

    int expectedScore(size_t i) const
    {
        return FakeJudgeServer::scoreFor(JudgePrompt::chapter().render(entryOf(responses[i]), responses[i]["model_response"].get<std::string>()));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(fake.listen()); }

    void init()
    {
        dir = std::make_unique<QTemporaryDir>();
        responses = chapterResponses(12);
        responsesPath = writeJson(*dir, "responses.json", responses);
        answerLog = dir->filePath("answers.log").toStdString();
        fake.setAnswerLog(QString::fromStdString(answerLog));
        fake.setFaults({});
    }

    void scoresEveryEntryAndRecordsTheSetup()
    {
        const ScoreRunResult r = runScoring(*client(), settings("scores.json"));
        QCOMPARE(r.stats.scored, size_t(12));
        QCOMPARE(r.judged, size_t(12));
        for (size_t i = 0; i < 12; ++i) {
            QCOMPARE(r.entries[i].status, ScoreStatus::Scored);
            if (i != 3)
                QCOMPARE(r.entries[i].score, std::optional<double>(expectedScore(i)));
        }
        QCOMPARE(r.entries[3].score, std::optional<double>(0)); // empty answer, as the chapter's script
        QCOMPARE(r.entries[3].attempts, 0);
        QCOMPARE(lineCount(answerLog), 11);

        const nlohmann::json out = nlohmann::json::parse(readFile(dir->filePath("scores.json").toStdString()));
        QVERIFY(out["format"] == "sft-studio scores");
        QVERIFY(out["setup"]["judge"]["server_version"] == "0.5.1");
        QVERIFY(out["setup"]["judge"]["digest"] ==
                QCryptographicHash::hash("llama3:latest", QCryptographicHash::Sha256).toHex().toStdString());
        QVERIFY(out["setup"]["prompt"]["sha256"] == JudgePrompt::chapter().sha256());
        QVERIFY(out["setup"]["options"]["num_ctx"] == 2048 && out["setup"]["options"]["seed"] == 123);
        QVERIFY(out["setup"]["responses"]["sha256"] == sha256OfFile(responsesPath));
        QVERIFY(out["scores"][0] == expectedScore(0));
        QVERIFY(out["entries"][0]["replies"][0] == "{\"score\":" + std::to_string(expectedScore(0)) + "}");
        QVERIFY(out["summary"]["scored"] == 12);
        QVERIFY(out["started"].is_string() && out["finished"].is_string());
    }

    void rerunReusesScoresAndRetriesOnlyTheRest()
    {
        FakeJudgeFaults faults;
        faults.nonJson = 2; // entry 0 stays unparseable with two attempts
        fake.setFaults(faults);
        const ScoreRunResult first = runScoring(*client(), settings("scores.json"));
        QCOMPARE(first.entries[0].status, ScoreStatus::Unparseable);
        QCOMPARE(first.stats.scored, size_t(11));
        const int asked = lineCount(answerLog);

        const ScoreRunResult second = runScoring(*client(), settings("scores.json"));
        QCOMPARE(second.reused, size_t(11));
        QCOMPARE(second.judged, size_t(1));
        QCOMPARE(lineCount(answerLog) - asked, 1);
        QCOMPARE(second.entries[0].score, std::optional<double>(expectedScore(0)));
        QCOMPARE(second.stats.scored, size_t(12));

        const ScoreRunResult third = runScoring(*client(), settings("scores.json"));
        QCOMPARE(third.judged, size_t(0));
        QCOMPARE(lineCount(answerLog) - asked, 1);
    }

    void serverGoingAwayKeepsEveryScoreAndTheRerunFinishes()
    {
        size_t seen = 0;
        ScoreEvents events;
        events.entryDone = [&](const EntryScore&) {
            if (++seen == 5)
                fake.close();
        };
        const quint16 port = fake.port();
        const auto judge = client();
        try {
            runScoring(*judge, settings("scores.json"), events);
            QFAIL("a server that went away must stop the run");
        } catch (const JudgeError& e) {
            QCOMPARE(e.kind(), JudgeError::Kind::Unreachable);
            QVERIFY2(std::string(e.what()).find("5 of 12 scores are saved in") != std::string::npos, e.what());
        }
        const nlohmann::json partial = nlohmann::json::parse(readFile(dir->filePath("scores.json").toStdString()));
        QVERIFY(partial["summary"]["scored"] == 5);
        QVERIFY(partial["entries"][5]["status"] == "pending");

        QVERIFY(fake.listen(port));
        const ScoreRunResult r = runScoring(*judge, settings("scores.json"));
        QCOMPARE(r.reused, size_t(5));
        QCOMPARE(r.stats.scored, size_t(12));
        QCOMPARE(lineCount(answerLog), 11); // 11 non-empty answers, each asked once
    }

    void cancelKeepsWhatIsScored()
    {
        JobControl job;
        ScoreEvents events;
        events.entryDone = [&](const EntryScore& e) {
            if (e.index == 2)
                job.requestCancel();
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, runScoring(*client(), settings("scores.json"), events, &job));
        const nlohmann::json partial = nlohmann::json::parse(readFile(dir->filePath("scores.json").toStdString()));
        QVERIFY(partial["summary"]["scored"] == 3);
    }

    void tornLastJournalLineIsDropped()
    {
        runScoring(*client(), settings("scores.json"));
        const std::string journal = journalPathFor(dir->filePath("scores.json").toStdString());
        std::string text = readFile(journal);
        const size_t lastLine = text.rfind('\n', text.size() - 2);
        text.resize(lastLine + 20); // entry 11 was being written when the process died
        writeFileAtomic(journal, text);

        const int asked = lineCount(answerLog);
        const ScoreRunResult r = runScoring(*client(), settings("scores.json"));
        QCOMPARE(r.judged, size_t(1));
        QCOMPARE(r.stats.scored, size_t(12));
        QCOMPARE(lineCount(answerLog) - asked, 1);
        for (const QString& line : QString::fromStdString(readFile(journal)).split('\n', Qt::SkipEmptyParts))
            QVERIFY(nlohmann::json::accept(line.toStdString()));
    }

    void damagedJournalInTheMiddleIsAnError()
    {
        runScoring(*client(), settings("scores.json"));
        const std::string journal = journalPathFor(dir->filePath("scores.json").toStdString());
        std::string text = readFile(journal);
        text.replace(text.find("\"index\""), 7, "\"ind");
        writeFileAtomic(journal, text);
        QVERIFY_THROWS_EXCEPTION(FormatError, runScoring(*client(), settings("scores.json")));
    }

    void scoresOfAnotherSetupAreNotMixedIn()
    {
        runScoring(*client(), settings("scores.json"));
        ScoreSettings rubric = settings("scores.json");
        rubric.prompt = JudgePrompt::rubric();
        try {
            runScoring(*client(), rubric);
            QFAIL("another prompt must not reuse the stored scores");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("prompt_sha256 was") != std::string::npos, e.what());
        }
        rubric.restart = true;
        const ScoreRunResult r = runScoring(*client(), rubric);
        QCOMPARE(r.judged, size_t(12));
    }

    void samplesUseSuccessiveSeeds()
    {
        ScoreSettings s = settings("samples.json");
        s.samples = 3;
        s.options.temperature = 0.7;
        const ScoreRunResult r = runScoring(*client(), s);
        const std::string prompt = JudgePrompt::chapter().render(entryOf(responses[0]), responses[0]["model_response"].get<std::string>());
        double sum = 0;
        for (int k = 0; k < 3; ++k) {
            const int expected = FakeJudgeServer::scoreFor(prompt, 0.7, 123 + k);
            QCOMPARE(r.entries[0].samples[size_t(k)], std::optional<int>(expected));
            sum += expected;
        }
        QCOMPARE(*r.entries[0].score, sum / 3);
        QCOMPARE(r.stats.sampledEntries, size_t(12));
    }

    void pairwiseJudgesEachPairInBothOrders()
    {
        nlohmann::json other = responses;
        for (size_t i = 0; i < 6; ++i)
            other[i]["model_response"] = "I do not know.";
        const std::string pathB = writeJson(*dir, "other.json", other);
        CompareSettings s;
        s.pathA = responsesPath;
        s.pathB = pathB;
        s.outPath = dir->filePath("pairs.json").toStdString();
        s.retry = {2, 5, 10};
        const CompareResult r = runComparison(*client(), s);

        PairTally expected;
        for (size_t i = 0; i < 12; ++i) {
            const std::string a = responses[i]["model_response"].get<std::string>();
            const std::string b = other[i]["model_response"].get<std::string>();
            if (a == b) {
                expected.add(PairOutcome::Tie);
                continue;
            }
            const auto verdict = [&](const std::string& first, const std::string& second) {
                return readVerdict(FakeJudgeServer::verdictFor(pairwisePrompt(entryOf(responses[i]), first, second))).verdict;
            };
            const PairOutcome outcome = combineVerdicts(verdict(a, b), verdict(b, a));
            expected.add(outcome);
            QCOMPARE(r.pairs[i].outcome, outcome);
        }
        QVERIFY(r.tally.toJson() == expected.toJson());
        QCOMPARE(lineCount(answerLog), 12); // 6 differing pairs, two orders each

        const nlohmann::json out = nlohmann::json::parse(readFile(s.outPath));
        QVERIFY(out["summary"] == expected.toJson());
        QCOMPARE(runComparison(*client(), s).reused, size_t(12));
    }

    void positionBiasShowsAsInconsistent()
    {
        FakeJudgeFaults faults;
        faults.positionBias = true;
        fake.setFaults(faults);
        nlohmann::json other = responses;
        for (auto& e : other)
            e["model_response"] = "Something else entirely.";
        CompareSettings s;
        s.pathA = responsesPath;
        s.pathB = writeJson(*dir, "other.json", other);
        s.outPath = dir->filePath("pairs.json").toStdString();
        const CompareResult r = runComparison(*client(), s);
        QCOMPARE(r.tally.inconsistent, size_t(12));
        QCOMPARE(r.tally.aWins + r.tally.bWins + r.tally.ties, size_t(0));
    }

    void pairwiseNeedsTheSameEntries()
    {
        nlohmann::json other = responses;
        other[4]["instruction"] = "Something else.";
        CompareSettings s;
        s.pathA = responsesPath;
        s.pathB = writeJson(*dir, "other.json", other);
        s.outPath = dir->filePath("pairs.json").toStdString();
        QVERIFY_THROWS_EXCEPTION(ConfigError, runComparison(*client(), s));
    }
};

QTEST_GUILESS_MAIN(TestScoreRun)
#include "test_score_run.moc"
