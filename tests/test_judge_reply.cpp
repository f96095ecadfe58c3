// Reading judge replies (structured, free text, doubtful), the two streaming framings split at
// every byte, the chapter's prompt word for word, and how pairwise verdicts combine.

#include "core/data/dataset.h"
#include "core/judge/ask_judge.h"
#include "core/judge/judge_prompt.h"
#include "core/judge/judge_reply.h"
#include "core/net/ndjson_stream.h"
#include "core/judge/pairwise.h"
#include "core/net/sse_stream.h"
#include "core/util/error.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace sft;

namespace {

Entry entry(const std::string& instruction, const std::string& input, const std::string& output)
{
    Entry e;
    e.instruction = instruction;
    e.input = input;
    e.output = output;
    return e;
}

} // namespace

class TestJudgeReply : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsStructuredScores_data()
    {
        QTest::addColumn<QString>("reply");
        QTest::addColumn<int>("score");
        QTest::addColumn<QString>("reason");
        QTest::newRow("schema") << R"({"score":85})" << 85 << "";
        QTest::newRow("reason first") << R"({"reason": "Close to the reference.", "score": 70})" << 70
                                      << "Close to the reference.";
        QTest::newRow("bare integer") << "85" << 85 << "";
        QTest::newRow("padded") << "  \n 42\n" << 42 << "";
        QTest::newRow("whole float") << R"({"score": 90.0})" << 90 << "";
        QTest::newRow("fenced") << "```json\n{\"score\": 12}\n```" << 12 << "";
        QTest::newRow("Go escapes") << R"({"reason":"\u003cok\u003e","score":0})" << 0 << "<ok>";
        QTest::newRow("bounds") << "100" << 100 << "";
    }
    void readsStructuredScores()
    {
        QFETCH(QString, reply);
        QFETCH(int, score);
        QFETCH(QString, reason);
        const ScoreReading r = readScore(reply.toStdString());
        QVERIFY2(r.score.has_value(), r.problem.c_str());
        QCOMPARE(*r.score, score);
        QCOMPARE(QString::fromStdString(r.reason), reason);
    }

    void readsScoresFromText_data()
    {
        QTest::addColumn<QString>("reply");
        QTest::addColumn<int>("score");
        QTest::newRow("sentence") << "I would give this response a score of 75." << 75;
        QTest::newRow("keyed") << "Score: 60\nThe answer misses the subject." << 60;
        QTest::newRow("truncated JSON") << "{\"reason\": \"fine\", \"score\": 88" << 88;
        QTest::newRow("out of 100") << "The response is 3 words long; 80/100." << 80;
        QTest::newRow("out of 100, words") << "I rate it 65 out of 100." << 65;
        QTest::newRow("scale mentioned") << "On a scale from 0 to 100, this deserves 90." << 90;
        QTest::newRow("repeated") << "90. Yes, 90." << 90;
    }
    void readsScoresFromText()
    {
        QFETCH(QString, reply);
        QFETCH(int, score);
        const ScoreReading r = readScore(reply.toStdString());
        QVERIFY2(r.score.has_value(), r.problem.c_str());
        QCOMPARE(*r.score, score);
    }

    void refusesDoubtfulReplies_data()
    {
        QTest::addColumn<QString>("reply");
        QTest::addColumn<QString>("problem");
        QTest::newRow("empty") << "  " << "empty reply";
        QTest::newRow("no number") << "The response is good." << "no number in the reply";
        QTest::newRow("conflicting") << "Between 70 and 80." << "conflicting numbers in the reply (70 and 80)";
        QTest::newRow("out of ten") << "8/10" << "conflicting numbers in the reply (8 and 10)";
        QTest::newRow("too high") << R"({"score":150})" << "score 150 is outside 0..100";
        QTest::newRow("negative") << "-5" << "score -5 is outside 0..100";
        QTest::newRow("fraction") << R"({"score": 85.5})" << "score 85.5 is not a whole number";
        QTest::newRow("string score") << R"({"score": "85"})" << "\"score\" in the JSON reply is not a number";
        QTest::newRow("no score key") << R"({"rating": 85})" << "the JSON reply has no \"score\"";
        QTest::newRow("text too high") << "I give it 101." << "score 101 is outside 0..100";
        // Past a double's range: std::stod threw out of readScore.
        const QString huge = "1" + QString(400, '0');
        QTest::newRow("keyed, too long") << "Score: " + huge << "the score is a number too long to read";
        QTest::newRow("out of 100, too long") << huge + "/100" << "the score is a number too long to read";
        QTest::newRow("text, too long") << "I give it " + huge + "." << "the score is a number too long to read";
        QTest::newRow("conflicting, too long") << "5 or " + huge
                                               << "conflicting numbers in the reply (5 and (a number too long to read))";
        // std::regex recursed once per digit or space until the stack overflowed.
        QTest::newRow("digit run") << QString(40000, '7') << "a run of more than 4096 digits or spaces in the reply";
        QTest::newRow("space run") << "Score: " + QString(40000, ' ') + "85"
                                   << "a run of more than 4096 digits or spaces in the reply";
    }
    void refusesDoubtfulReplies()
    {
        QFETCH(QString, reply);
        QFETCH(QString, problem);
        const ScoreReading r = readScore(reply.toStdString());
        QVERIFY(!r.score.has_value());
        QCOMPARE(QString::fromStdString(r.problem), problem);
    }

    // The out-of-100 pattern was tried from every digit of a run, reading to the run's end each
    // time: 2.5 s for 4000 digits.
    void readsALongDigitRunInOnePass()
    {
        QElapsedTimer timer;
        timer.start();
        const ScoreReading r = readScore(std::string(4000, '1') + " apples");
        QCOMPARE(QString::fromStdString(r.problem), QString("the score is a number too long to read"));
        QVERIFY2(timer.elapsed() < 1000, std::to_string(timer.elapsed()).c_str());
    }

    void refusesAVerdictInAnOverlongRun()
    {
        const VerdictReading r = readVerdict("Answer" + std::string(40000, ' ') + "1");
        QVERIFY(!r.verdict);
        QCOMPARE(QString::fromStdString(r.problem), QString("a run of more than 4096 digits or spaces in the reply"));
    }

    void readsVerdicts()
    {
        QCOMPARE(readVerdict(R"({"reason":"more precise","verdict":"2"})").verdict, std::optional(Verdict::Second));
        QCOMPARE(readVerdict(R"({"verdict":"tie"})").verdict, std::optional(Verdict::Tie));
        QCOMPARE(readVerdict(R"({"verdict":1})").verdict, std::optional(Verdict::First));
        QCOMPARE(readVerdict(" 1 ").verdict, std::optional(Verdict::First));
        QCOMPARE(readVerdict("Answer 2 is better because it is correct.").verdict, std::optional(Verdict::Second));
        QVERIFY(!readVerdict("Answer 1 is shorter but Answer 2 is right.").verdict);
        QVERIFY(!readVerdict(R"({"verdict":"3"})").verdict);
        QVERIFY(!readVerdict("Both have merits.").verdict);
    }

    void pairwiseVerdictsCountOnlyWhenBothOrdersAgree()
    {
        // Position 1 holds A in the first order and B in the second.
        QCOMPARE(combineVerdicts(Verdict::First, Verdict::Second), PairOutcome::AWins);
        QCOMPARE(combineVerdicts(Verdict::Second, Verdict::First), PairOutcome::BWins);
        QCOMPARE(combineVerdicts(Verdict::Tie, Verdict::Tie), PairOutcome::Tie);
        QCOMPARE(combineVerdicts(Verdict::First, Verdict::First), PairOutcome::Inconsistent);
        QCOMPARE(combineVerdicts(Verdict::Second, Verdict::Tie), PairOutcome::Inconsistent);
        QCOMPARE(combineVerdicts(std::nullopt, Verdict::First), PairOutcome::Undecided);
    }

    void ndjsonSurvivesEverySplit()
    {
        const std::string body = "{\"message\":{\"content\":\"8\"},\"done\":false}\n"
                                 "\n"
                                 "{\"message\":{\"content\":\"5\"},\"done\":false}\n"
                                 "{\"message\":{\"content\":\"\"},\"done\":true,\"done_reason\":\"stop\"}\n";
        for (size_t cut = 0; cut <= body.size(); ++cut) {
            NdjsonStream stream;
            std::vector<nlohmann::json> lines = stream.feed(std::string_view(body).substr(0, cut));
            for (const auto& l : stream.feed(std::string_view(body).substr(cut)))
                lines.push_back(l);
            QVERIFY(stream.finish().empty());
            QCOMPARE(lines.size(), size_t(3));
            QVERIFY(lines[1]["message"]["content"] == "5");
            QVERIFY(lines[2]["done_reason"] == "stop");
        }
    }

    void ndjsonTakesAnUnterminatedLastObjectAndRejectsGarbage()
    {
        NdjsonStream single;
        QVERIFY(single.feed(R"({"done":true,"done_reason":"load"})").empty());
        QVERIFY(single.finish().at(0)["done_reason"] == "load");

        NdjsonStream garbage;
        QVERIFY_THROWS_EXCEPTION(FormatError, garbage.feed("{\"done\":false}\n<html>502 Bad Gateway</html>\n"));
    }

    void sseSurvivesEverySplit()
    {
        const std::string body = ": keep-alive comment\r\n\r\n"
                                 "data: {\"choices\":[{\"delta\":{\"content\":\"8\"}}]}\r\n\r\n"
                                 "event: message\ndata:{\"choices\":[{\"delta\":{\"content\":\"5\"}}]}\n\n"
                                 "data: first\ndata: second\n\n"
                                 "data: [DONE]\n\n";
        for (size_t cut = 0; cut <= body.size(); ++cut) {
            SseStream stream;
            std::vector<std::string> events = stream.feed(std::string_view(body).substr(0, cut));
            for (const auto& e : stream.feed(std::string_view(body).substr(cut)))
                events.push_back(e);
            QCOMPARE(events.size(), size_t(4));
            QCOMPARE(events[1], std::string(R"({"choices":[{"delta":{"content":"5"}}]})"));
            QCOMPARE(events[2], std::string("first\nsecond"));
            QCOMPARE(events[3], std::string("[DONE]"));
        }
    }

    void chapterPromptIsTheChaptersWords()
    {
        // ollama_evaluate.py: f"Given the input `{format_input(entry)}` and correct output
        // `{entry['output']}`, score the model response `{entry[json_key]}` on a scale from 0 to
        // 100, where 100 is the best score. Respond with the integer number only."
        const std::string expected =
            "Given the input `Below is an instruction that describes a task. Write a response that appropriately "
            "completes the request.\n\n### Instruction:\nRewrite the sentence using a simile.\n\n### Input:\nThe car "
            "is very fast.` and correct output `The car is as fast as lightning.`, score the model response `The car "
            "is as fast as a bullet.` on a scale from 0 to 100, where 100 is the best score. Respond with the "
            "integer number only.";
        const Entry e = entry("Rewrite the sentence using a simile.", "The car is very fast.",
                              "The car is as fast as lightning.");
        QCOMPARE(JudgePrompt::chapter().render(e, "The car is as fast as a bullet."), expected);

        const Entry noInput = entry("Name a planet.", "", "Mars.");
        QCOMPARE(JudgePrompt::byName("chapter").render(noInput, "Venus."),
                 std::string("Given the input `Below is an instruction that describes a task. Write a response that "
                             "appropriately completes the request.\n\n### Instruction:\nName a planet.` and correct "
                             "output `Mars.`, score the model response `Venus.` on a scale from 0 to 100, where 100 is "
                             "the best score. Respond with the integer number only."));
    }

    void fieldsAreFilledOnce()
    {
        // An answer that contains a field name must reach the judge as written.
        const JudgePrompt p = JudgePrompt::custom("t", "[{response}] [{output}] {unknown}");
        QCOMPARE(p.render(entry("i", "", "{response}"), "{output}"), std::string("[{output}] [{response}] {unknown}"));
    }

    void promptsAreChecked()
    {
        QVERIFY_THROWS_EXCEPTION(ConfigError, JudgePrompt::custom("mine", "Score {output}."));
        QVERIFY_THROWS_EXCEPTION(ConfigError, JudgePrompt::byName("no-such-prompt.txt"));
        QTemporaryDir dir;
        const std::string path = dir.filePath("prompt.txt").toStdString();
        std::ofstream(path) << "Rate {response} against {output} for {prompt}.";
        QCOMPARE(JudgePrompt::byName(path).text(), std::string("Rate {response} against {output} for {prompt}."));
        QVERIFY(JudgePrompt::rubric().sha256() != JudgePrompt::chapter().sha256());
        QCOMPARE(JudgePrompt::chapter().sha256().size(), size_t(64));
    }

    void schemasPutTheReasonFirst()
    {
        // Grammar builders keep property order; the reason must come before the score.
        const std::string score = scoreSchema().dump();
        QVERIFY(score.find("\"reason\"") < score.find("\"score\""));
        QVERIFY(scoreSchema()["properties"]["score"]["maximum"] == 100);
        QVERIFY(scoreSchema()["required"] == nlohmann::json::array({"score"}));
        const std::string verdict = verdictSchema().dump();
        QVERIFY(verdict.find("\"reason\"") < verdict.find("\"verdict\""));
    }

    void backoffDoublesUpToItsCap()
    {
        const RetryPolicy policy{5, 1000, 3000};
        QCOMPARE(policy.backoffMs(1), 1000);
        QCOMPARE(policy.backoffMs(2), 2000);
        QCOMPARE(policy.backoffMs(3), 3000);
        QCOMPARE(policy.backoffMs(10), 3000);
    }
};

QTEST_GUILESS_MAIN(TestJudgeReply)
#include "test_judge_reply.moc"
