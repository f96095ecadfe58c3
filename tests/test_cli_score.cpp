// The judge subcommands end to end: sft-studio against the stand-in server run as a process
// of its own (tests/fake_judge_server_main.cpp). The chapter's 110 test responses are scored;
// the server, and then sft-studio itself, are killed half-way, and the rerun finishes with no
// entry scored twice and none lost. agreement reproduces the chapter's judge correlations.

#include "core/judge/generate_data.h"
#include "core/judge/judge_prompt.h"
#include "core/judge/judge_settings.h"
#include "core/judge/score_run.h"
#include "core/util/files.h"
#include "tests/support/fake_judge_server.h"
#include "tests/support/judge_process.h"
#include "tests/support/setting_flags.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <numeric>
#include <set>

using namespace sft;
using sft::test::FakeJudgeServer;

namespace {

const std::string kResponses = "data/instruction-data-with-response.json";

nlohmann::json readJson(const QString& path) { return nlohmann::json::parse(readFile(path.toStdString())); }

std::string promptFor(const nlohmann::json& e)
{
    Entry entry;
    entry.instruction = e["instruction"].get<std::string>();
    entry.input = e["input"].get<std::string>();
    entry.output = e["output"].get<std::string>();
    return JudgePrompt::chapter().render(entry, e["model_response"].get<std::string>());
}

std::vector<int> expectedScores()
{
    std::vector<int> scores;
    for (const nlohmann::json& e : nlohmann::json::parse(readFile(test::sharedPath(kResponses))))
        scores.push_back(FakeJudgeServer::scoreFor(promptFor(e)));
    return scores;
}

QString sha256(const std::string& text)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256).toHex();
}

QStringList lines(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
}

QStringList scoreArgs(const QString& url, const QString& out)
{
    return {"score", "--responses", QString::fromStdString(test::sharedPath(kResponses)), "--judge-url", url,
            "--judge-model", "llama3", "--out", out, "--attempts", "2", "--backoff-ms", "20", "--connect-timeout", "2"};
}

// Indices the journal records as scored, each index counted as often as it appears scored.
std::multiset<size_t> scoredInJournal(const QString& out)
{
    std::multiset<size_t> scored;
    const QStringList journal = lines(out + ".journal.jsonl");
    for (qsizetype i = 1; i < journal.size(); ++i) {
        const nlohmann::json item = nlohmann::json::parse(journal[i].toStdString(), nullptr, false);
        if (item.is_object() && item["status"] == "scored")
            scored.insert(item["index"].get<size_t>());
    }
    return scored;
}

void waitForJournal(const QString& out, int entries)
{
    QTRY_VERIFY_WITH_TIMEOUT(lines(out + ".journal.jsonl").size() > entries, 30000);
}

// The chat requests a stand-in server logged (--request-log), in the order it answered them.
std::vector<nlohmann::json> loggedRequests(const QString& log)
{
    std::vector<nlohmann::json> requests;
    for (const QString& line : lines(log))
        requests.push_back(nlohmann::json::parse(line.toStdString()));
    return requests;
}

// A generated entry as the stand-in makes it from the seed its instruction was asked with.
nlohmann::ordered_json generatedEntry(int64_t instructionSeed)
{
    const std::string instruction = "Describe item " + std::to_string(instructionSeed) + ".";
    return {{"instruction", instruction}, {"output", *FakeJudgeServer::answerFor(instruction)}};
}

void verifyComplete(const QString& out)
{
    const std::multiset<size_t> scored = scoredInJournal(out);
    for (size_t i = 0; i < 110; ++i)
        QVERIFY2(scored.count(i) == 1, qPrintable(QString("entry %1 scored %2 times").arg(i).arg(scored.count(i))));
    const nlohmann::json result = readJson(out);
    const std::vector<int> expected = expectedScores();
    for (size_t i = 0; i < 110; ++i)
        QVERIFY(result["scores"][i] == expected[i]);
}

} // namespace

class TestCliScore : public QObject {
    Q_OBJECT

    QTemporaryDir dir;
    QString path(const QString& name) const { return dir.filePath(name); }

private Q_SLOTS:
    // The judge's flags come from the judge settings tables, which the app's judge panel also uses.
    void everyJudgeSettingIsAFlagWithItsDefault()
    {
        std::vector<SettingInfo> settings = judgeServerSettings().infos();
        for (const SettingInfo& s : judgeSettings().infos())
            settings.push_back(s);
        QVERIFY(settings.size() >= 13);
        QString problem = test::settingFlagProblem("score", settings);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        settings.erase(std::remove_if(settings.begin(), settings.end(),
                                      [](const SettingInfo& s) { return s.flag == "samples"; }),
                       settings.end());
        problem = test::settingFlagProblem("compare-judge", settings);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        const auto outOfRange = test::runStudio({"score", "--responses", "r.json", "--out", "s.json", "--num-ctx", "100"});
        QCOMPARE(outOfRange.exitCode, 2);
        QVERIFY2(outOfRange.err.contains("--num-ctx must be from 256 to 1048576"), qPrintable(outOfRange.err));
    }

    void scoresTheChaptersResponses()
    {
        test::JudgeProcess server({});
        const auto r = test::runStudio(scoreArgs(server.url(), path("scores.json")));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("scored 110 of 110 entries (110 by this run, 0 kept from earlier runs)"), qPrintable(r.out));
        const std::vector<int> expected = expectedScores();
        const double mean = std::accumulate(expected.begin(), expected.end(), 0.0) / 110;
        QVERIFY2(r.out.contains(QString("mean %1 ").arg(mean, 0, 'f', 2)), qPrintable(r.out));
        QVERIFY(r.out.contains("judge: llama3 (digest " + sha256("llama3:latest").left(12) + ")"));
        verifyComplete(path("scores.json"));
        const nlohmann::json result = readJson(path("scores.json"));
        QVERIFY(result["summary"]["scored"] == 110);
        QVERIFY(result["setup"]["prompt"]["text"] == JudgePrompt::chapter().text());

        const auto again = test::runStudio(scoreArgs(server.url(), path("scores.json")));
        QVERIFY2(again.out.contains("(0 by this run, 110 kept from earlier runs)"), qPrintable(again.out));

        // Our scores file pairs with a plain list of the same scores, entry by entry.
        std::ofstream(path("expected.json").toStdString()) << nlohmann::json(expected).dump();
        const auto agree = test::runStudio({"agreement", path("scores.json"), path("expected.json")});
        QVERIFY2(agree.out.contains("pairs     110 ") && agree.out.contains("pearson   1.000"), qPrintable(agree.out + agree.err));
    }

    void killedServerLosesNoScore()
    {
        const QString out = path("killed-server.json");
        auto server = std::make_unique<test::JudgeProcess>(QStringList{"--first-byte-delay-ms", "15"});
        QProcess scoring;
        scoring.start(QStringLiteral(SFT_BINARY), scoreArgs(server->url(), out));
        waitForJournal(out, 40);
        server->kill();
        QVERIFY(scoring.waitForFinished(30000));
        QCOMPARE(scoring.exitCode(), 1);
        const QString err = QString::fromUtf8(scoring.readAllStandardError());
        QVERIFY2(err.contains("of 110 scores are saved in") && err.contains("run the same command again"), qPrintable(err));
        const std::multiset<size_t> before = scoredInJournal(out);
        QVERIFY(before.size() >= 40 && before.size() < 110);

        const QString log = path("answers-after-restart.log");
        test::JudgeProcess restarted({"--answer-log", log});
        const auto r = test::runStudio(scoreArgs(restarted.url(), out));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QString("(%1 by this run, %2 kept").arg(110 - before.size()).arg(before.size())),
                 qPrintable(r.out));
        verifyComplete(out);
        const QStringList asked = lines(log);
        QCOMPARE(size_t(asked.size()), 110 - before.size());
        const nlohmann::json responses = nlohmann::json::parse(readFile(test::sharedPath(kResponses)));
        for (size_t i : before)
            QVERIFY2(!asked.contains(sha256(promptFor(responses[i]))), "an entry scored before the kill was asked again");
    }

    void killedStudioResumesWhereItStopped()
    {
        const QString out = path("killed-studio.json");
        const QString log = path("answers.log");
        test::JudgeProcess server({"--first-byte-delay-ms", "15", "--answer-log", log});
        QProcess scoring;
        scoring.start(QStringLiteral(SFT_BINARY), scoreArgs(server.url(), out));
        waitForJournal(out, 50);
        scoring.kill();
        scoring.waitForFinished();
        const size_t before = scoredInJournal(out).size();
        const auto r = test::runStudio(scoreArgs(server.url(), out));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        verifyComplete(out);
        // The one request in flight at the kill may have been answered without being recorded.
        const qsizetype asked = lines(log).size();
        QVERIFY2(asked == 110 || asked == 111, qPrintable(QString::number(asked)));
        QVERIFY(before >= 50);
    }

    void missingModelNamesTheModelsThereAre()
    {
        test::JudgeProcess server({"--models", "llama3:latest,qwen2.5:7b"});
        QStringList args = scoreArgs(server.url(), path("missing.json"));
        args[args.indexOf("llama3")] = "mistral";
        const auto r = test::runStudio(args);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("sft-studio: error: model 'mistral' is not available on " + server.url() +
                                "; pull it (sft-studio score --pull, or Pull in the app's Evaluate > Judge panel) or pick one of: "
                                "llama3:latest, qwen2.5:7b"),
                 qPrintable(r.err));
    }

    void pullFetchesAMissingJudge()
    {
        test::JudgeProcess server({"--pullable", "tinyllama"});
        QStringList args = scoreArgs(server.url(), path("pulled.json"));
        args[args.indexOf("llama3")] = "tinyllama";
        args << "--pull";
        const auto r = test::runStudio(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("pull tinyllama: pulling manifest") && r.err.contains("success"), qPrintable(r.err));
        QVERIFY(r.out.contains("scored 110 of 110"));
    }

    void serverThatIsDownIsNamed()
    {
        const auto r = test::runStudio(scoreArgs("http://127.0.0.1:1", path("down.json")));
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no server answers at http://127.0.0.1:1") && r.err.contains("'ollama serve'"),
                 qPrintable(r.err));
    }

    void openAiServerWithAnApiKey()
    {
        test::JudgeProcess server({"--api-key", "s3cret-judge-key"});
        qputenv("SFT_TEST_JUDGE_KEY", "s3cret-judge-key");
        qputenv("XDG_CONFIG_HOME", path("xdg-config").toUtf8());
        qputenv("XDG_CACHE_HOME", path("xdg-cache").toUtf8());
        qputenv("XDG_DATA_HOME", path("xdg-data").toUtf8());
        QStringList args = scoreArgs(server.url(), path("openai.json"));
        args << "--api" << "openai" << "--api-key-env" << "SFT_TEST_JUDGE_KEY";
        const auto r = test::runStudio(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("scored 110 of 110"));
        verifyComplete(path("openai.json"));
        QVERIFY(!r.out.contains("s3cret") && !r.err.contains("s3cret"));

        qputenv("SFT_TEST_JUDGE_KEY", "wrong-key");
        const auto refused = test::runStudio(args << "--restart");
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("refused access (401: Invalid API Key)"), qPrintable(refused.err));
        QVERIFY(!refused.err.contains("wrong-key"));
        for (const char* var : {"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"})
            qunsetenv(var);
        // Every file either run wrote, settings and caches included, is free of both keys.
        QStringList written;
        QDirIterator it(dir.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString file = it.next();
            const QString text = QString::fromStdString(readFile(file.toStdString()));
            QVERIFY2(!text.contains("s3cret") && !text.contains("wrong-key"), qPrintable(file));
            written << QDir(dir.path()).relativeFilePath(file);
        }
        QVERIFY2(written.contains("openai.json") && written.contains("openai.json.journal.jsonl"),
                 qPrintable(written.join(", ")));
    }

    // --api-key-file: refused while others can read the file, used once it is private.
    void apiKeyFileMustBePrivate()
    {
        test::JudgeProcess server({"--api-key", "s3cret-file-key"});
        QFile key(path("judge.key"));
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.write("s3cret-file-key\n");
        key.close();
        QVERIFY(key.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
        QStringList args = scoreArgs(server.url(), path("keyfile.json"));
        args << "--api" << "openai" << "--api-key-file" << key.fileName();
        const auto open = test::runStudio(args);
        QCOMPARE(open.exitCode, 1);
        QVERIFY2(open.err.contains("can be read by other users") && open.err.contains("chmod 600 " + key.fileName()),
                 qPrintable(open.err));
        QVERIFY(!QFileInfo::exists(path("keyfile.json.journal.jsonl")));

        QVERIFY(key.setPermissions(QFile::ReadOwner | QFile::WriteOwner));
        const auto r = test::runStudio(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("scored 110 of 110"));
        for (const char* file : {"keyfile.json", "keyfile.json.journal.jsonl"})
            QVERIFY2(readFile(path(file).toStdString()).find("s3cret") == std::string::npos, file);

        qputenv("SFT_TEST_JUDGE_KEY", "s3cret-file-key");
        const auto both = test::runStudio(args << "--api-key-env" << "SFT_TEST_JUDGE_KEY");
        QCOMPARE(both.exitCode, 2);
        QVERIFY2(both.err.contains("not both"), qPrintable(both.err));
    }

    void agreementReproducesTheChapter()
    {
        const auto scores = [](const char* file) {
            return QString::fromStdString(test::sharedPath("data/ch07-extras/03_model-evaluation/scores/") + file);
        };
        const auto r = test::runStudio({"agreement", scores("gpt4-model-1-response.json"), scores("llama3-8b-model-1-response.json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("pairs     100 ") && r.out.contains("pearson   0.805") &&
                     r.out.contains("spearman  0.698") && r.out.contains("kendall   0.573"),
                 qPrintable(r.out));

        const auto mismatch = test::runStudio({"agreement", scores("gpt4-model-2-response.json"), scores("llama3-8b-model-2-response.json")});
        QCOMPARE(mismatch.exitCode, 1);
        QVERIFY2(mismatch.err.contains("has 100 entries but") && mismatch.err.contains("has 99") &&
                     mismatch.err.contains("--skipped-in-b"),
                 qPrintable(mismatch.err));

        const auto realigned = test::runStudio({"agreement", scores("gpt4-model-2-response.json"),
                                                scores("llama3-8b-model-2-response.json"), "--skipped-in-b", "0"});
        QVERIFY2(realigned.exitCode == 0 && realigned.out.contains("pairs     99 "), qPrintable(realigned.out + realigned.err));
    }

    void compareJudgeTalliesBothOrders()
    {
        test::JudgeProcess server({});
        const QString data = QString::fromStdString(test::sharedPath("data/ch07-extras/03_model-evaluation/eval-example-data.json"));
        const auto r = test::runStudio({"compare-judge", "--a", data, "--key-a", "model 1 response", "--b", data,
                                        "--key-b", "model 2 response", "--judge-url", server.url(), "--out",
                                        path("pairs.json"), "--backoff-ms", "20"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("100 pairs, each judged by llama3 with A first and with B first"), qPrintable(r.out));
        const nlohmann::json summary = readJson(path("pairs.json"))["summary"];
        size_t total = 0;
        for (const auto& [name, count] : summary.items())
            total += count.get<size_t>();
        QCOMPARE(total, size_t(100));
        QVERIFY(r.out.contains(QString("  inconsistent  %1").arg(summary["inconsistent"].get<int>())));
    }

    // make-preferences on 20 chapter entries, the first already a preference pair: killed after
    // a few rewrites and run again, every other entry is asked once with the notebook's prompt,
    // and the rewrite lands in chosen for "polite", in rejected for "impolite".
    void makePreferencesResumesAndAsksAsTheNotebook()
    {
        nlohmann::json entries = readJson(QString::fromStdString(test::sharedPath("data/instruction-data.json")));
        entries.erase(entries.begin() + 20, entries.end());
        entries[0]["chosen"] = "kept chosen";
        entries[0]["rejected"] = "kept rejected";
        const QString data = path("sft20.json"), out = path("prefs20.json"), log = path("rewrites.log");
        writeFileAtomic(data.toStdString(), entries.dump(1));
        test::JudgeProcess server({"--first-byte-delay-ms", "40", "--answer-log", log});
        const QStringList args = {"make-preferences", "--data", data, "--out", out, "--judge-url", server.url(),
                                  "--judge-model", "llama3", "--backoff-ms", "20"};
        QProcess making;
        making.start(QStringLiteral(SFT_BINARY), args);
        waitForJournal(out, 6);
        making.kill();
        making.waitForFinished();
        QVERIFY(!QFileInfo::exists(out));
        const auto r = test::runStudio(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("20 entries:") && r.out.contains("1 kept their chosen and rejected"), qPrintable(r.out));
        QVERIFY(!QFileInfo::exists(out + ".journal.jsonl"));

        const nlohmann::json made = readJson(out);
        QCOMPARE(made.size(), size_t(20));
        QCOMPARE(made[0]["chosen"].get<std::string>(), std::string("kept chosen"));
        QSet<QString> expectedPrompts;
        int polite = 0;
        for (size_t i = 1; i < 20; ++i) {
            const nlohmann::json& e = entries[i];
            std::string input = "Below is an instruction that describes a task. Write a response that appropriately "
                                "completes the request.\n\n### Instruction:\n" + e["instruction"].get<std::string>();
            if (!e["input"].get<std::string>().empty())
                input += "\n\n### Input:\n" + e["input"].get<std::string>();
            const std::string output = e["output"].get<std::string>();
            const bool isPolite = made[i]["rejected"] == output;
            polite += isPolite;
            const std::string style = isPolite ? "polite" : "impolite";
            const std::string rewrite = "[" + style + "] " + output;
            QCOMPARE(made[i][isPolite ? "chosen" : "rejected"].get<std::string>(), rewrite);
            QCOMPARE(made[i][isPolite ? "rejected" : "chosen"].get<std::string>(), output);
            QCOMPARE(made[i]["instruction"], e["instruction"]);
            expectedPrompts.insert(sha256("Given the input `" + input + "` and correct output `" + output +
                                          "`, slightly rewrite the output to be more " + style +
                                          ".Keep the modification minimal.Only return return the generated response "
                                          "and nothing else."));
        }
        QVERIFY(polite > 0 && polite < 19); // both directions drawn
        // Every prompt asked; the one in flight at the kill may have been answered twice.
        const QStringList asked = lines(log);
        QCOMPARE(QSet<QString>(asked.begin(), asked.end()), expectedPrompts);
        QVERIFY2(asked.size() == 19 || asked.size() == 20, qPrintable(QString::number(asked.size())));
        const Dataset loaded = loadDataset(out.toStdString(), BadEntries::Refuse, EntryFields::Preference);
        QVERIFY(loaded.preferences);
    }

    // generate-data against the stand-in, asking as the notebook does: Llama 3's pre-query
    // template as an assistant message, the first non-empty line of the reply (stripped) as the
    // instruction, then the instruction as a user message; sampling inside "options", each entry
    // with a seed of its own. The first reply is blank and is asked again with the next seed; the
    // server then hangs half-way through an entry, Ctrl-C keeps the journal, and the rerun
    // against a new server asks each remaining question once.
    void generateDataResumesAndAsksAsTheNotebook()
    {
        const QString out = path("generated.json"), firstLog = path("generate-1.log"), secondLog = path("generate-2.log");
        const auto args = [&](const QString& url) {
            return QStringList{"generate-data", "--count", "10", "--out", out, "--judge-url", url,
                               "--judge-model", "llama3", "--seed", "7", "--backoff-ms", "20"};
        };
        {
            // 8 replies: entry 0's blank and real instruction and its answer, entries 1 and 2,
            // entry 3's instruction; entry 3's answer is asked and never answered.
            test::JudgeProcess server({"--request-log", firstLog, "--blank-instructions", "1", "--silent-after", "8"});
            QProcess generating;
            generating.start(QStringLiteral(SFT_BINARY), args(server.url()));
            QTRY_VERIFY_WITH_TIMEOUT(lines(out + ".journal.jsonl").size() == 8, 30000);
            ::kill(pid_t(generating.processId()), SIGINT);
            QVERIFY(generating.waitForFinished(30000));
            QCOMPARE(generating.exitCode(), 130);
            QVERIFY(QString::fromUtf8(generating.readAllStandardError()).contains("sft-studio: error: cancelled"));
            QCOMPARE(lines(out + ".journal.jsonl").size(), qsizetype(8));
            QVERIFY(!QFileInfo::exists(out));
        }
        test::JudgeProcess server({"--request-log", secondLog});
        // A smaller count takes the finished entries at once, asks nothing and keeps the journal.
        QStringList fewer = args(server.url());
        fewer[fewer.indexOf("10")] = "2";
        const auto two = test::runStudio(fewer);
        QVERIFY2(two.exitCode == 0 && two.out.contains("2 entries: 0 generated now, 2 by an earlier run"),
                 qPrintable(two.out + two.err));
        QVERIFY(nlohmann::ordered_json::parse(readFile(out.toStdString())).size() == 2);
        QVERIFY(lines(secondLog).isEmpty());
        QCOMPARE(lines(out + ".journal.jsonl").size(), qsizetype(8));

        const auto r = test::runStudio(args(server.url()));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("10 entries: 7 generated now, 3 by an earlier run"), qPrintable(r.out));
        QVERIFY(!QFileInfo::exists(out + ".journal.jsonl"));

        // The notebook's keys, in its order, and each entry from the seed its instruction was drawn with.
        const auto made = nlohmann::ordered_json::parse(readFile(out.toStdString()));
        QCOMPARE(made.size(), size_t(10));
        for (size_t i = 0; i < 10; ++i)
            QVERIFY2(made[i] == generatedEntry(entrySeed(7, i, i == 0 ? 1 : 0)), made[i].dump().c_str());

        std::multiset<std::string> asked, expected;
        std::vector<nlohmann::json> requests = loggedRequests(firstLog);
        QCOMPARE(requests.size(), size_t(8));
        for (const nlohmann::json& request : loggedRequests(secondLog))
            requests.push_back(request);
        for (const nlohmann::json& request : requests) {
            const nlohmann::json& body = request["body"];
            const nlohmann::json& options = body["options"];
            QVERIFY2(request["path"] == "/api/chat" && body["model"] == "llama3" && !body.contains("seed") &&
                         !body.contains("temperature") && options["temperature"] == 1.0 && options["top_p"] == 1.0 &&
                         body["messages"].size() == 1,
                     request.dump().c_str());
            const nlohmann::json& message = body["messages"][0];
            const std::string seed = std::to_string(options["seed"].get<int64_t>());
            if (message["role"] == "assistant") {
                QVERIFY(message["content"] == "<|begin_of_text|><|start_header_id|>user<|end_header_id|>");
                asked.insert("instruction " + seed);
            } else {
                QVERIFY(message["role"] == "user");
                asked.insert("answer " + message["content"].get<std::string>() + " " + seed);
            }
        }
        for (size_t i = 0; i < 10; ++i) {
            const std::string seed = std::to_string(entrySeed(7, i));
            expected.insert("instruction " + seed);
            expected.insert("answer " + generatedEntry(entrySeed(7, i, i == 0 ? 1 : 0))["instruction"].get<std::string>() +
                            " " + seed);
        }
        expected.insert("instruction " + std::to_string(entrySeed(7, 0, 1)));
        QVERIFY(asked == expected);
    }

    // An OpenAI-compatible server has no pre-query template: it is asked for an instruction in
    // the style of three examples drawn from --examples, then for the answer, with its API key.
    void generateDataAsksAnOpenAiServerWithExamples()
    {
        nlohmann::json examples = readJson(QString::fromStdString(test::sharedPath("data/instruction-data.json")));
        examples.erase(std::remove_if(examples.begin(), examples.end(),
                                      [](const nlohmann::json& e) { return !e["input"].get<std::string>().empty(); }),
                       examples.end());
        examples.erase(examples.begin() + 20, examples.end());
        std::vector<std::string> instructions;
        for (const nlohmann::json& e : examples)
            instructions.push_back(e["instruction"].get<std::string>());
        const QString data = path("examples20.json"), out = path("generated-openai.json"), log = path("generate-openai.log");
        writeFileAtomic(data.toStdString(), examples.dump(1));
        test::JudgeProcess server({"--request-log", log, "--api-key", "gen-key"});
        qputenv("SFT_TEST_GENERATE_KEY", "gen-key");
        const QStringList args = {"generate-data", "--count", "4", "--out", out, "--judge-url", server.url(),
                                  "--api", "openai", "--api-key-env", "SFT_TEST_GENERATE_KEY", "--seed", "5"};
        const auto r = test::runStudio(QStringList(args) << "--examples" << data);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("4 entries: 4 generated now"), qPrintable(r.out));

        const auto made = nlohmann::ordered_json::parse(readFile(out.toStdString()));
        QCOMPARE(made.size(), size_t(4));
        const std::vector<nlohmann::json> requests = loggedRequests(log);
        QCOMPARE(requests.size(), size_t(8));
        std::set<std::string> prompts;
        for (size_t i = 0; i < 4; ++i) {
            const int64_t seed = entrySeed(5, i);
            QVERIFY2(made[i] == generatedEntry(seed), made[i].dump().c_str());
            const nlohmann::json& ask = requests[2 * i]["body"];
            const nlohmann::json& answer = requests[2 * i + 1]["body"];
            QVERIFY(requests[2 * i]["path"] == "/v1/chat/completions");
            const std::string prompt = examplesPromptFor(instructions, 5, i);
            QVERIFY(ask["messages"] == nlohmann::json::array({{{"role", "user"}, {"content", prompt}}}));
            QVERIFY(answer["messages"] ==
                    nlohmann::json::array({{{"role", "user"}, {"content", made[i]["instruction"].get<std::string>()}}}));
            for (const nlohmann::json* body : {&ask, &answer})
                QVERIFY2((*body)["seed"] == seed && (*body)["temperature"] == 1.0 && (*body)["top_p"] == 1.0,
                         body->dump().c_str());
            // The request, then three different instructions of the examples, one per line.
            const std::string request = kExamplesPrompt;
            QVERIFY(prompt.rfind(request.substr(0, request.find("{examples}")), 0) == 0);
            const QStringList shown = QString::fromStdString(prompt).section("\n\n", 1).split('\n');
            QCOMPARE(QSet<QString>(shown.begin(), shown.end()).size(), 3);
            for (const QString& line : shown)
                QVERIFY2(line.startsWith("- ") && std::count(instructions.begin(), instructions.end(), line.mid(2).toStdString()),
                         qPrintable(line));
            prompts.insert(prompt);
        }
        QVERIFY(prompts.size() > 1);

        const auto exampleless = test::runStudio(args);
        QCOMPARE(exampleless.exitCode, 1);
        QVERIFY2(exampleless.err.contains("give a dataset to draw example instructions from (--examples)"),
                 qPrintable(exampleless.err));
        const auto ollamaWithExamples = test::runStudio({"generate-data", "--count", "4", "--out", out, "--judge-url",
                                                         server.url(), "--examples", data});
        QCOMPARE(ollamaWithExamples.exitCode, 1);
        QVERIFY2(ollamaWithExamples.err.contains("example instructions are for OpenAI-compatible servers"),
                 qPrintable(ollamaWithExamples.err));
        QCOMPARE(lines(log).size(), qsizetype(8));
    }
    // A model that keeps replying without an instruction stops the run with the reason; no
    // entry is written with an empty instruction, and the rerun goes on.
    void generateDataNeverWritesAnEmptyInstruction()
    {
        const QString out = path("generated-blank.json");
        test::JudgeProcess server({"--blank-instructions", "2"});
        const QStringList args = {"generate-data", "--count", "3", "--out", out, "--judge-url", server.url(),
                                  "--backoff-ms", "20", "--attempts", "2"};
        const auto r = test::runStudio(args);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("entry 0: the reply holds no instruction; asking again with another seed") &&
                     r.err.contains("sft-studio: error: entry 0: no instruction in 2 replies, each with a seed of its "
                                    "own; 0 entries are kept: run the same command again with more attempts"),
                 qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(out));
        const auto again = test::runStudio(args);
        QVERIFY2(again.exitCode == 0 && again.out.contains("3 entries: 3 generated now"), qPrintable(again.out + again.err));
        for (const nlohmann::json& e : readJson(out))
            QVERIFY(!e["instruction"].get<std::string>().empty());
    }
};

QTEST_GUILESS_MAIN(TestCliScore)
#include "test_cli_score.moc"
