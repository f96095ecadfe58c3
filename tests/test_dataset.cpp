// Dataset loading against the chapter's file and its facts (size, sha256, split), JSON Lines,
// a foreign schema, every kind of bad file, and the skip policy; the near-duplicate search on
// cases small enough to work out by hand (tests/test_cli_dataset.cpp compares it with
// scikit-learn on whole files).

#include "core/data/dataset.h"
#include "core/data/near_duplicates.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/unicode_text.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

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

// Entries with the given texts of one field, the other two fields "x".
std::vector<Entry> entriesWith(const std::string& field, const std::vector<std::string>& texts)
{
    std::vector<Entry> entries(texts.size());
    for (size_t k = 0; k < texts.size(); ++k) {
        entries[k] = {"x", "x", "x"};
        entries[k].index = k;
        (field == "instruction" ? entries[k].instruction : field == "input" ? entries[k].input : entries[k].output) = texts[k];
    }
    return entries;
}

// "field i-j" for each pair, to compare whole results at once.
QStringList pairNames(const std::vector<NearDuplicatePair>& pairs)
{
    QStringList names;
    for (const NearDuplicatePair& p : pairs)
        names << QStringLiteral("%1 %2-%3").arg(QString::fromStdString(p.field)).arg(p.i).arg(p.j);
    return names;
}

std::u32string lower(const std::u32string& text) { return unicode::pythonLower(text); }

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

    // "ab", "Ba." and "cd" become "ab", "ba", "cd": 1-grams a, b, c, d (a and b in two of the three
    // documents) and 2-grams ab, ba, cd (one each). With smooth idf ln((1 + n) / (1 + df)) + 1 the
    // first two are (i2, i2, i1) on different 2-grams, so their cosine is 2 i2^2 / (2 i2^2 + i1^2).
    void nearDuplicateSimilarityByHand()
    {
        const double i2 = std::log(4.0 / 3.0) + 1, i1 = std::log(2.0) + 1;
        const double expected = 2 * i2 * i2 / (2 * i2 * i2 + i1 * i1); // 0.53635
        const auto pairs = findNearDuplicates(entriesWith("instruction", {"ab", "Ba.", "cd"}), "instruction", 0.5);
        QCOMPARE(pairNames(pairs), QStringList{"instruction 0-1"});
        QVERIFY2(std::abs(pairs[0].similarity - expected) < 1e-12, qPrintable(QString::number(pairs[0].similarity, 'g', 17)));
        QVERIFY(findNearDuplicates(entriesWith("instruction", {"ab", "Ba.", "cd"}), "instruction", expected + 1e-9).empty());
    }

    // scikit-learn's char analyzer makes each run of two or more whitespace characters one space
    // but leaves a lone tab a tab.
    void nearDuplicatesNormaliseWhitespaceRuns()
    {
        const auto pairs = findNearDuplicates(entriesWith("output", {"a \t b", "a b", "a\tb"}), "output", 0.99);
        QCOMPARE(pairNames(pairs), QStringList{"output 0-1"});
        QVERIFY(std::abs(pairs[0].similarity - 1) < 1e-12);
    }

    // Python's str.lower() and re's \w and \s, which decide what is compared in any language.
    void pythonTextSemantics()
    {
        QVERIFY(lower(U"ΟΔΟΣ ΚΑΙ ΣΟΦΙΑ") == U"οδος και σοφια"); // final sigma only at a word's end
        QVERIFY(lower(U"ΟΔΟΣ.") == U"οδος.");
        QVERIFY(lower(U"Σ") == U"σ"); // no cased letter before it
        QVERIFY(lower(U"İstanbul") == U"i\u0307stanbul");
        QVERIFY(lower(U"ǅemal ÄÖÜ") == U"ǆemal äöü");
        QVERIFY(unicode::isPythonWordChar(U'_') && unicode::isPythonWordChar(U'²') && unicode::isPythonWordChar(U'Ⅻ'));
        QVERIFY(unicode::isPythonWordChar(U'中') && !unicode::isPythonWordChar(U'\u0301') && !unicode::isPythonWordChar(U'!'));
        QVERIFY(unicode::isPythonSpace(U'\x1c') && unicode::isPythonSpace(U'\u00a0') && unicode::isPythonSpace(U'\u3000'));
        QVERIFY(!unicode::isPythonSpace(U'\u200b') && !unicode::isPythonSpace(U'_'));
        // Upper and lower case Greek are the same text once lowered, however the sigma ends.
        const auto pairs = findNearDuplicates(entriesWith("instruction", {"ΟΔΟΣ", "οδος", "odos"}), "instruction", 0.99);
        QCOMPARE(pairNames(pairs), QStringList{"instruction 0-1"});
    }

    // The book fits only non-empty texts yet indexes the entries with the matrix's rows, so one
    // empty field shifts every pair after it; here pairs name the entries compared. A text of one
    // character is never paired (by its length before punctuation goes).
    void nearDuplicatesSkipEmptyAndOneCharacterTexts()
    {
        const auto pairs = findNearDuplicates(entriesWith("input", {"", "a", "a", "same text", "same text", "", "b!", "b."}),
                                              "input", 0.9);
        QCOMPARE(pairNames(pairs), (QStringList{"input 3-4", "input 6-7"}));
        QVERIFY(findNearDuplicates(entriesWith("input", {"", ""}), "input", 0.5).empty());
        QVERIFY(findNearDuplicates(entriesWith("input", {"!!", "??"}), "input", 0.5).empty()); // nothing left to compare
        QVERIFY(findNearDuplicates({}, "all", 0.5).empty());
        QVERIFY_THROWS_EXCEPTION(ConfigError, findNearDuplicates({}, "response", 0.5));
    }

    void allSearchesTheFieldsInTurnOverEveryEntry()
    {
        std::vector<Entry> entries = entriesWith("output", {"first answer", "first answer", "other words"});
        entries[2].instruction = "y";
        const auto pairs = findNearDuplicates(entries, "all", 0.9);
        // Instructions "x", "x", "y" are one character long: not paired. Inputs are too.
        QCOMPARE(pairNames(pairs), QStringList{"output 0-1"});
        entries[1].instruction = entries[0].instruction = "same instruction";
        QCOMPARE(pairNames(findNearDuplicates(entries, "all", 0.9)), (QStringList{"instruction 0-1", "output 0-1"}));
    }

    void exactDuplicatesIgnoreWhitespaceOnly()
    {
        const auto pairs = findExactDuplicates(
            entriesWith("output", {"Hello  world", " Hello world\n", "hello world", "Hello\u00a0world", "a", "a", ""}), "output");
        // Each later copy is paired with the first; case counts; one-character texts are left out.
        QCOMPARE(pairNames(pairs), (QStringList{"output 0-1", "output 0-3"}));
        QCOMPARE(pairs[0].similarity, 1.0);
    }

    // find_print_and_remove_near_duplicates: instruction pairs remove nothing; of input and output
    // pairs the second entry goes, and each field is searched on what the one before left.
    void removalFollowsTheBookFieldByField()
    {
        std::vector<Entry> entries(4);
        const char* fields[4][3] = {{"Name a fruit", "apple pie", "Answer one"},
                                    {"Name a fruit", "apple pie", "Answer two"},
                                    {"Something else entirely", "", "Answer two"},
                                    {"Other thing", "", "Answer two"}};
        for (size_t k = 0; k < 4; ++k)
            entries[k] = {fields[k][0], fields[k][1], fields[k][2]};
        const NearDuplicateRemoval all = removeNearDuplicates(entries, "all", 0.9);
        // Entry 1 goes for its input, so the output search sees 0, 2, 3 only.
        QCOMPARE(pairNames(all.pairs), (QStringList{"instruction 0-1", "input 0-1", "output 2-3"}));
        QCOMPARE(all.removed, (std::vector<size_t>{1, 3}));
        const NearDuplicateRemoval outputs = removeNearDuplicates(entries, "output", 0.9);
        QCOMPARE(pairNames(outputs.pairs), (QStringList{"output 1-2", "output 1-3", "output 2-3"}));
        QCOMPARE(outputs.removed, (std::vector<size_t>{2, 3}));
        QVERIFY(removeNearDuplicates(entries, "instruction", 0.9).removed.empty());
        QCOMPARE(removeExactDuplicates(entries, "all").removed, (std::vector<size_t>{1, 3}));
    }

    // Long texts in a large alphabet: so many features that a block holds fewer rows than usual.
    // Pairs 2k, 2k+1 differ in one character; unrelated texts share little more than characters.
    void nearDuplicatesInTextsWithManyFeatures()
    {
        uint64_t state = 7;
        const auto next = [&state] {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            return uint32_t(state >> 33);
        };
        std::vector<std::string> texts;
        for (int k = 0; k < 600; k += 2) {
            std::u32string text;
            for (int c = 0; c < 3000; ++c)
                text += char32_t(0x4E00 + next() % 20000);
            texts.push_back(QString::fromUcs4(text.data(), qsizetype(text.size())).toStdString());
            text[next() % text.size()] = U'a';
            texts.push_back(QString::fromUcs4(text.data(), qsizetype(text.size())).toStdString());
        }
        const auto pairs = findNearDuplicates(entriesWith("output", texts), "output", 0.9);
        QCOMPARE(pairs.size(), size_t(300));
        for (size_t k = 0; k < pairs.size(); ++k) {
            QCOMPARE(pairs[k].i, 2 * k);
            QCOMPARE(pairs[k].j, 2 * k + 1);
        }
    }

    void nearDuplicateSearchReportsProgressAndStopsOnCancel()
    {
        std::vector<std::string> texts;
        for (int k = 0; k < 1500; ++k) // three blocks of rows
            texts.push_back("entry number " + std::to_string(k % 700) + " of the test");
        const std::vector<Entry> entries = entriesWith("output", texts);
        int64_t last = -1, total = 0;
        const auto pairs = findNearDuplicates(entries, "output", 0.999, nullptr, [&](int64_t done, int64_t all, const std::string& label) {
            QVERIFY(done >= last);
            QCOMPARE(label, std::string("output"));
            last = done, total = all;
        });
        QCOMPARE(total, int64_t(1500) * 1499 / 2);
        QCOMPARE(last, total);
        // 700 texts appear three times or twice: 100 * 3 + 600 * 1 pairs of equal texts.
        QCOMPARE(pairs.size(), size_t(900));
        JobControl job;
        QVERIFY_THROWS_EXCEPTION(Cancelled, findNearDuplicates(entries, "output", 0.9, &job,
                                                               [&](int64_t done, int64_t, const std::string&) {
                                                                   if (done > 0)
                                                                       job.requestCancel();
                                                               }));
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "test_dataset.moc"
