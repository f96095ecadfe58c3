// Prompt templates: Alpaca against the oracle's text of all 1100 entries, Phi-3 (exercise 7.1),
// the chapter's answer extraction, and the rules and errors of custom templates.

#include "core/data/prompt_template.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace sft;

namespace {

const std::string kPreamble = "Below is an instruction that describes a task. Write a response that "
                              "appropriately completes the request.";

Entry entry(const std::string& instruction, const std::string& input, const std::string& output)
{
    Entry e;
    e.instruction = instruction;
    e.input = input;
    e.output = output;
    return e;
}

// The ConfigError message of making a custom template from `text`, or "" when it is accepted.
std::string templateError(const std::string& text)
{
    try {
        PromptTemplate::custom(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

} // namespace

class TestPromptTemplate : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void alpacaMatchesOracleForEveryEntry()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const auto data = nlohmann::json::parse(readFile(test::sharedPath("data/instruction-data.json")));
        const auto oracle = nlohmann::json::parse(
            readFile(test::sharedPath("data/tokenizer-oracle/instruction-data.alpaca-tokens.json")));
        QCOMPARE(data.size(), size_t(1100));
        QCOMPARE(oracle.size(), data.size());
        const PromptTemplate alpaca = PromptTemplate::alpaca();
        for (size_t i = 0; i < data.size(); ++i) {
            const Entry e = entry(data[i]["instruction"].get<std::string>(), data[i]["input"].get<std::string>(),
                                  data[i]["output"].get<std::string>());
            QCOMPARE(alpaca.full(e), oracle[i]["text"].get<std::string>());
        }
    }

    void alpacaPromptAndResponse()
    {
        const PromptTemplate alpaca = PromptTemplate::alpaca();
        QCOMPARE(alpaca.name(), std::string("alpaca"));
        const Entry withInput = entry("Rewrite the sentence using a simile.", "The car is very fast.", "Fast.");
        QCOMPARE(alpaca.prompt(withInput), kPreamble + "\n\n### Instruction:\nRewrite the sentence using a simile."
                                                       "\n\n### Input:\nThe car is very fast.");
        QCOMPARE(alpaca.response(withInput), std::string("\n\n### Response:\nFast."));
        const Entry noInput = entry("Name a color.", "", "Blue.");
        QCOMPARE(alpaca.prompt(noInput), kPreamble + "\n\n### Instruction:\nName a color.");
        QCOMPARE(alpaca.full(noInput), kPreamble + "\n\n### Instruction:\nName a color.\n\n### Response:\nBlue.");
        // As the chapter's `if entry["input"]`: only an empty string means no input.
        QCOMPARE(alpaca.prompt(entry("Name a color.", " ", "")), kPreamble + "\n\n### Instruction:\nName a color.\n\n### Input:\n ");
    }

    void entryTextIsNeverTreatedAsPlaceholder()
    {
        const Entry e = entry("Explain {output} and {input}.", "", "{instruction}");
        QCOMPARE(PromptTemplate::alpaca().full(e),
                 kPreamble + "\n\n### Instruction:\nExplain {output} and {input}.\n\n### Response:\n{instruction}");
    }

    void phi3()
    {
        const PromptTemplate phi3 = PromptTemplate::phi3();
        const Entry withInput = entry("Rewrite the sentence using a simile.", "The car is very fast.", "Fast.");
        QCOMPARE(phi3.prompt(withInput), std::string("<|user|>\nRewrite the sentence using a simile.\nThe car is very fast."));
        QCOMPARE(phi3.response(withInput), std::string("\n<|assistant|>:\nFast."));
        QCOMPARE(phi3.prompt(entry("Name a color.", "", "Blue.")), std::string("<|user|>\nName a color."));
    }

    void extractAnswer()
    {
        const PromptTemplate alpaca = PromptTemplate::alpaca();
        const std::string prompt = alpaca.prompt(entry("Name a color.", "", ""));
        QCOMPARE(alpaca.extractAnswer(prompt + "\n\n### Response:\nBlue.  \n", prompt), std::string("Blue."));
        // Every occurrence goes, as str.replace does, and str.strip() removes Unicode spaces too.
        QCOMPARE(alpaca.extractAnswer(prompt + "\n\n### Response:\n\u3000A ### Response: B\u00a0\x1c", prompt),
                 std::string("A  B"));
        QCOMPARE(alpaca.extractAnswer(prompt + "\n\nBlue", prompt), std::string("Blue"));
        QCOMPARE(alpaca.extractAnswer(prompt.substr(0, 10), prompt), std::string());
        const PromptTemplate phi3 = PromptTemplate::phi3();
        const std::string phiPrompt = phi3.prompt(entry("Name a color.", "", ""));
        QCOMPARE(phi3.extractAnswer(phiPrompt + "\n<|assistant|>:\nBlue.\n", phiPrompt), std::string("Blue."));
    }

    void customWithLines()
    {
        // The paragraph holding {input} also holds {instruction}: only the {input} line goes.
        const PromptTemplate t = PromptTemplate::custom("Q: {instruction}\n{input}\nA: {output}");
        QCOMPARE(t.name(), std::string("custom"));
        QCOMPARE(t.prompt(entry("I", "X", "O")), std::string("Q: I\nX"));
        QCOMPARE(t.prompt(entry("I", "", "O")), std::string("Q: I"));
        QCOMPARE(t.response(entry("I", "", "O")), std::string("\nA: O"));
        QCOMPARE(t.extractAnswer("Q: I\nA: O A: P", "Q: I"), std::string("O  P"));
    }

    void customWithParagraphs()
    {
        const PromptTemplate t =
            PromptTemplate::custom("### Task\r\n{instruction}\r\n\r\n### Context\r\n{input}\r\n\r\n### Answer\r\n{output}");
        QCOMPARE(t.prompt(entry("I", "X", "O")), std::string("### Task\nI\n\n### Context\nX"));
        QCOMPARE(t.prompt(entry("I", "", "O")), std::string("### Task\nI"));
        QCOMPARE(t.response(entry("I", "", "O")), std::string("\n\n### Answer\nO"));
        QCOMPARE(t.extractAnswer("### Task\nI\n\n### Answer\nO", "### Task\nI"), std::string("O"));
        const PromptTemplate first = PromptTemplate::custom("{input}\n\n{instruction}\n\nAnswer:\n{output}");
        QCOMPARE(first.prompt(entry("I", "", "O")), std::string("I"));
        QCOMPARE(first.prompt(entry("I", "X", "O")), std::string("X\n\nI"));
    }

    void customErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no instruction") << "{input}\nA: {output}" << "has no {instruction}";
        QTest::newRow("no input") << "{instruction}\nA: {output}" << "has no {input}";
        QTest::newRow("no output") << "{instruction}\n{input}\nA:" << "has no {output}";
        QTest::newRow("twice") << "{instruction}\n{input}\n{instruction}\nA: {output}" << "{instruction} appears more than once";
        QTest::newRow("output first") << "A: {output}\n{instruction}\n{input}" << "{output} must come after";
        QTest::newRow("no header") << "{instruction}\n{input}\n\n{output}" << "must be a response header";
        QTest::newRow("input beside instruction") << "{instruction} {input}\nA: {output}" << "put {input} on a line of its own";
    }

    void customErrors()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        const std::string message = templateError(text.toStdString());
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    }

    void byName()
    {
        QCOMPARE(PromptTemplate::byName("alpaca").name(), std::string("alpaca"));
        QCOMPARE(PromptTemplate::byName("phi3").name(), std::string("phi3"));
        QTemporaryDir dir;
        const std::string path = dir.filePath("qa.txt").toStdString();
        writeFileAtomic(path, "Q: {instruction}\n{input}\nA: {output}\n");
        const PromptTemplate t = PromptTemplate::byName(path);
        QCOMPARE(t.name(), path);
        QCOMPARE(t.full(entry("I", "", "O")), std::string("Q: I\nA: O"));
        const std::string bad = dir.filePath("bad.txt").toStdString();
        writeFileAtomic(bad, "{instruction}\n");
        try {
            PromptTemplate::byName(bad);
            QFAIL("a template without {input} and {output} was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find(bad + ": the template has no {input}") == 0, e.what());
        }
        try {
            PromptTemplate::byName("alpacca");
            QFAIL("an unknown template name was accepted");
        } catch (const ConfigError& e) {
            QCOMPARE(std::string(e.what()), std::string("unknown prompt template 'alpacca': use alpaca, phi3 or "
                                                        "the path of a template file (see docs/templates.md)"));
        }
    }
};

QTEST_GUILESS_MAIN(TestPromptTemplate)
#include "test_prompt_template.moc"
