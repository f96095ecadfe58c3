// Dataset loading against the chapter's file and its facts (size, sha256, split), JSON Lines,
// a foreign schema, every kind of bad file, and the skip policy.

#include "core/data/dataset.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace sft;

namespace {

std::string chapterFile() { return test::sharedPath("data/instruction-data.json"); }

// Writes `bytes` as `name` in `dir` and returns the path.
std::string writeTemp(const QTemporaryDir& dir, const std::string& name, const std::string& bytes)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    writeFileAtomic(path, bytes);
    return path;
}

// The DatasetError message of loading `path`, or "" when it loads.
std::string loadError(const std::string& path, BadEntries policy = BadEntries::Refuse)
{
    try {
        loadDataset(path, policy);
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "";
}

} // namespace

class TestDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
    }

    void chapterFileLoads()
    {
        const Dataset d = loadDataset(chapterFile());
        QCOMPARE(d.entries.size(), size_t(1100));
        QVERIFY(d.skipped.empty());
        QCOMPARE(d.sha256, std::string("7e09a9af353722ca15c18bc580f093f9c39d3178335a75177319cb1e1d163944"));
        QCOMPARE(std::count_if(d.entries.begin(), d.entries.end(), [](const Entry& e) { return e.input.empty(); }),
                 775L);
        QCOMPARE(d.entries[1099].index, size_t(1099));
        QCOMPARE(d.entries[0].source.size(), size_t(3));
    }

    void chapterSplit()
    {
        const Split s = splitDataset(loadDataset(chapterFile()).entries);
        QCOMPARE(s.train.size(), size_t(935));
        QCOMPARE(s.test.size(), size_t(110));
        QCOMPARE(s.val.size(), size_t(55));
        QCOMPARE(s.val[0].instruction,
                 std::string("Convert the active sentence to passive: 'The chef cooks the meal every day.'"));
        QCOMPARE(s.val[0].index, size_t(1045));
        QCOMPARE(s.test[0].instruction, std::string("Rewrite the sentence using a simile."));
        QCOMPARE(s.test[0].input, std::string("The car is very fast."));
        QCOMPARE(s.test[0].index, size_t(935));
    }

    void smallSplitsAndNames()
    {
        // int(20 * 0.85) = 17, int(20 * 0.1) = 2, the rest 1.
        const std::vector<Entry> twenty(20);
        QCOMPARE(selectSplit(twenty, "train").size(), size_t(17));
        QCOMPARE(selectSplit(twenty, "test").size(), size_t(2));
        QCOMPARE(selectSplit(twenty, "val").size(), size_t(1));
        QCOMPARE(selectSplit(twenty, "all").size(), size_t(20));
        QVERIFY_THROWS_EXCEPTION(ConfigError, selectSplit(twenty, "validation"));
    }

    void jsonLinesGiveTheSameEntries()
    {
        const Dataset array = loadDataset(chapterFile());
        std::string lines;
        for (const auto& item : nlohmann::json::parse(readFile(chapterFile())))
            lines += item.dump() + "\n";
        QTemporaryDir dir;
        const Dataset jsonl = loadDataset(writeTemp(dir, "instruction-data.jsonl", lines));
        QCOMPARE(jsonl.entries.size(), array.entries.size());
        for (size_t i = 0; i < array.entries.size(); ++i) {
            QCOMPARE(jsonl.entries[i].instruction, array.entries[i].instruction);
            QCOMPARE(jsonl.entries[i].input, array.entries[i].input);
            QCOMPARE(jsonl.entries[i].output, array.entries[i].output);
            QCOMPARE(jsonl.entries[i].index, i);
        }
    }

    void selfInstructSchemaIsRefusedClearly()
    {
        // {instruction, instances: [{input, output}]}: not Alpaca, so the missing field is named.
        const std::string message =
            loadError(test::sharedPath("data/extra-instruction-sets/self-instruct-seed_tasks.jsonl"));
        QVERIFY2(message.find("self-instruct-seed_tasks.jsonl: line 1: field 'output' is missing") !=
                     std::string::npos,
                 message.c_str());
    }

    void selfInstructConvertedLoads()
    {
        const Dataset d = loadDataset(test::sharedPath("data/extra-instruction-sets/self-instruct-seed_tasks.alpaca.json"));
        QCOMPARE(d.entries.size(), size_t(175));
        QCOMPARE(std::count_if(d.entries.begin(), d.entries.end(), [](const Entry& e) { return e.input.empty(); }),
                 50L);
    }

    void generatedFileWithABadEntry()
    {
        // The chapter's Llama-3 generated sample has no 'input' fields, and its entry 2 came
        // out as {"instruction": null, "output": ""}.
        const std::string path =
            test::sharedPath("data/ch07-extras/05_dataset-generation/instruction-data-llama3-7b.json");
        const std::string message = loadError(path);
        QVERIFY2(message.find("instruction-data-llama3-7b.json: entry 2: field 'instruction' must be text, not null") !=
                     std::string::npos,
                 message.c_str());
        const Dataset d = loadDataset(path, BadEntries::Skip);
        QCOMPARE(d.entries.size(), size_t(4));
        QVERIFY(d.entries[0].input.empty());
        QCOMPARE(d.entries[2].index, size_t(3));
        QCOMPARE(d.skipped.size(), size_t(1));
        QCOMPARE(d.skipped[0].describe(), std::string("entry 2: field 'instruction' must be text, not null"));
    }

    void optionalInputAndExtraFields()
    {
        const Dataset withResponse = loadDataset(test::sharedPath("data/instruction-data-with-response.json"));
        QVERIFY(withResponse.entries[0].source.contains("model_response"));
        const Dataset nullInput =
            parseDataset(R"([{"instruction": "a", "input": null, "output": "b"}])", "null.json");
        QCOMPARE(nullInput.entries[0].input, std::string());
    }

    void byteOrderMarkIsIgnored()
    {
        const Dataset d = parseDataset("\xEF\xBB\xBF[{\"instruction\": \"a\", \"output\": \"b\"}]", "bom.json");
        QCOMPARE(d.entries.size(), size_t(1));
    }

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("expected");
        const auto row = [](const char* tag, const QByteArray& bytes, const QStringList& expected) {
            QTest::newRow(tag) << bytes << expected;
        };
        row("not JSON", "[\n {\"instruction\": \"a\",\n  }\n]", {"not valid JSON at line 3, column 3", "unexpected '}'"});
        // The 'x' is byte 25 but character 23: each 'é' is two bytes.
        row("not JSON, column in characters", "[{\"instruction\": \"\xC3\xA9\xC3\xA9\" x", {"line 1, column 23"});
        row("top level string", "\"hello\"", {"top level is a JSON string, not a list of entries"});
        row("top level object", "{\"data\": [\n  {\"instruction\": \"a\", \"output\": \"b\"}\n]}",
            {"top level is a JSON object, not a list of entries"});
        row("entry not an object", "[{\"instruction\": \"a\", \"output\": \"b\"}, [1]]", {"entry 1: is a JSON array, not an object"});
        row("missing field", "[{\"instruction\": \"a\", \"output\": \"b\"},\n {\"instruction\": \"c\"}]",
            {"entry 1: field 'output' is missing", "'instruction' and 'output'"});
        row("non-string field", "[{\"instruction\": \"a\", \"output\": 42}]", {"entry 0: field 'output' must be text, not number"});
        row("null instruction", "[{\"instruction\": null, \"output\": \"b\"}]", {"entry 0: field 'instruction' must be text, not null"});
        row("input not text", "[{\"instruction\": \"a\", \"input\": [], \"output\": \"b\"}]", {"entry 0: field 'input' must be text, not array"});
        row("empty file", "", {"the file is empty"});
        row("only whitespace", " \n\t\r\n", {"the file is empty"});
        row("empty list", "[]", {"the file holds no entries"});
        // '[' '\n' '{' then "instruction" (13 bytes), ':', ' ', '"', "caf": the bad byte is at offset 22.
        row("invalid UTF-8", "[\n{\"instruction\": \"caf\xE9\", \"output\": \"b\"}]", {"invalid UTF-8 at byte offset 22 (line 2)"});
        row("overlong UTF-8", "[\"\xC0\xAF\"]", {"invalid UTF-8 at byte offset 2 (line 1)"});
        // Line 2: the '}' after "output": is the 32nd character.
        row("JSONL syntax", "{\"instruction\": \"a\", \"output\": \"b\"}\n{\"instruction\": \"c\", \"output\": }\n",
            {"line 2: not valid JSON at column 32"});
        row("JSONL missing field", "{\"instruction\": \"a\", \"output\": \"b\"}\n\n{\"instruction\": \"c\"}\n",
            {"line 3: field 'output' is missing"});
        row("JSONL line not an object", "{\"instruction\": \"a\", \"output\": \"b\"}\n[1]\n", {"line 2: is a JSON array, not an object"});
        // nlohmann's out_of_range, not a parse_error, escaped the loader untyped (as the fuzzed
        // safetensors reader showed).
        row("number overflow", "[{\"instruction\": \"a\", \"output\": \"b\", \"n\": 1e999}]",
            {"not valid JSON: number overflow parsing '1e999'"});
        row("JSONL number overflow", "{\"instruction\": \"a\", \"output\": \"b\"}\n{\"n\": -1e999}\n",
            {"line 2: not valid JSON: number overflow parsing '-1e999'"});
    }

    void badFiles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, expected);
        QTemporaryDir dir;
        const std::string message = loadError(writeTemp(dir, "bad-data.json", bytes.toStdString()));
        QVERIFY2(message.find("bad-data.json: ") != std::string::npos, message.c_str());
        for (const QString& part : expected)
            QVERIFY2(message.find(part.toStdString()) != std::string::npos, message.c_str());
    }

    void skipPolicyListsBadEntries()
    {
        const std::string bytes = R"([{"instruction": "a", "output": "b"},
                                      {"instruction": "c"},
                                      {"instruction": "d", "output": 1},
                                      {"instruction": "e", "output": "f"}])";
        QVERIFY_THROWS_EXCEPTION(DatasetError, parseDataset(bytes, "mixed.json"));
        const Dataset d = parseDataset(bytes, "mixed.json", BadEntries::Skip);
        QCOMPARE(d.entries.size(), size_t(2));
        QCOMPARE(d.entries[1].instruction, std::string("e"));
        QCOMPARE(d.entries[1].index, size_t(3));
        QCOMPARE(d.skipped.size(), size_t(2));
        QCOMPARE(d.skipped[0].describe(), std::string("entry 1: field 'output' is missing"));
        QCOMPARE(d.skipped[1].describe(), std::string("entry 2: field 'output' must be text, not number"));
    }

    void skipPolicyListsBadLines()
    {
        const std::string bytes = "{\"instruction\": \"a\", \"output\": \"b\"}\n{broken\n{\"instruction\": \"c\", \"output\": \"d\"}\n";
        const Dataset d = parseDataset(bytes, "mixed.jsonl", BadEntries::Skip);
        QCOMPARE(d.entries.size(), size_t(2));
        QCOMPARE(d.entries[1].index, size_t(2));
        QCOMPARE(d.skipped.size(), size_t(1));
        QVERIFY(d.skipped[0].isLine);
        QCOMPARE(d.skipped[0].index, size_t(2));
    }

    // The chapter's code formats an empty output or instruction like any other text, and real
    // instruction sets hold such entries: they load, under warnings, with both policies.
    void emptyFieldsAreWarningsNotErrors()
    {
        const std::string bytes = R"([{"instruction": " \n", "output": "b"},
                                      {"instruction": "a", "output": ""},
                                      {"instruction": "c", "output": "d"}])";
        for (BadEntries policy : {BadEntries::Refuse, BadEntries::Skip}) {
            const Dataset d = parseDataset(bytes, "empty.json", policy);
            QCOMPARE(d.entries.size(), size_t(3));
            QVERIFY(d.skipped.empty());
            QCOMPARE(d.entries[1].output, std::string());
            QCOMPARE(d.warnings.size(), size_t(2));
            QCOMPARE(d.warnings[0].describe(), std::string("entry 0: field 'instruction' is empty"));
            QCOMPARE(d.warnings[1].describe(), std::string("entry 1: field 'output' is empty"));
        }
    }

    void skipPolicyStillRefusesUnusableFiles()
    {
        QVERIFY_THROWS_EXCEPTION(DatasetError, parseDataset("[{\"instruction\": ", "cut.json", BadEntries::Skip));
        try {
            parseDataset(R"([{"instruction": "a"}, {"output": "b"}])", "none.json", BadEntries::Skip);
            QFAIL("a file without a usable entry loaded");
        } catch (const DatasetError& e) {
            QCOMPARE(std::string(e.what()),
                     std::string("none.json: no usable entry; all 2 have problems, the first: entry 0: "
                                 "field 'output' is missing"));
        }
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
