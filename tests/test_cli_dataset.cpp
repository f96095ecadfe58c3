// sft-studio dataset: the Data view's facts headless — the chapter's split, its token-length
// range (shared/data/README.md: 40 to 91) and the count a max length cuts (from the oracle's
// IDs), invalid entries listed with exit code 3, the chapter-7 file fetched from a local server;
// near duplicates equal to scikit-learn's run as the book does, and their removal.

#include "core/util/files.h"
#include "tests/support/fake_hub_server.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

using sft::test::runStudio;

namespace {

QString shared(const char* relative) { return QString::fromStdString(sft::test::sharedPath(relative)); }

// Texts in several scripts and spacings with near copies among them: the pairs come out as
// scikit-learn's only if lowercasing (final sigma, dotted I), \w, \s and whitespace runs all
// behave as Python's do.
std::string unicodeDataset()
{
    const std::vector<std::string> pieces = {
        "a", "b", "Σ", "σ", "ς", "Α", "ΟΔΟΣ", "İ", "I", "ı", "é", "e\u0301", "Ä", "ß", "中", "文", "日本語",
        "😀", "👍🏽", " ", "\t", "\n", "\u00a0", "\u3000", "\x1c", "\u2028", "  ", "_", "1", "²", "½", "Ⅻ", "!",
        "?", ".", "'", "’", "-", "ǅ", "Ω", "x\u0345Σ", "ΑΣ.", "Σ'"};
    uint64_t state = 42;
    const auto next = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return size_t(state >> 33);
    };
    const auto text = [&](size_t length) {
        std::string t;
        for (size_t k = 0; k < length; ++k)
            t += pieces[next() % pieces.size()];
        return t;
    };
    std::vector<std::string> bases;
    for (int k = 0; k < 60; ++k)
        bases.push_back(text(next() % 30));
    const std::vector<std::string> inputs = {"", "", "a", "!", "!!!", "Σ"};
    nlohmann::json items = nlohmann::json::array();
    for (size_t k = 0; k < 300; ++k) {
        const std::string instruction = k % 3 == 0 && k > 0 ? items[next() % k]["instruction"].get<std::string>()
                                                            : bases[next() % bases.size()];
        const size_t pick = next() % (inputs.size() + 1);
        items.push_back({{"instruction", instruction + pieces[next() % pieces.size()]},
                         {"input", pick < inputs.size() ? inputs[pick] : bases[next() % bases.size()]},
                         {"output", bases[next() % bases.size()]}});
    }
    return items.dump(1);
}

using PairKey = std::tuple<std::string, size_t, size_t>;

// A --json list (or the reference's) as field, i, j -> similarity; throws unless the list is in
// the documented order: instruction, input, output, each by i then j.
std::map<PairKey, double> pairsOf(const QString& json)
{
    const auto rank = [](const PairKey& p) {
        const std::string& field = std::get<0>(p);
        return std::make_tuple(field == "instruction" ? 0 : field == "input" ? 1 : 2, std::get<1>(p), std::get<2>(p));
    };
    std::map<PairKey, double> pairs;
    std::vector<PairKey> order;
    for (const auto& p : nlohmann::json::parse(json.toStdString())) {
        const PairKey key{p.at("field").get<std::string>(), p.at("i").get<size_t>(), p.at("j").get<size_t>()};
        pairs[key] = p.at("similarity").get<double>();
        order.push_back(key);
    }
    if (!std::is_sorted(order.begin(), order.end(), [&](const PairKey& x, const PairKey& y) { return rank(x) < rank(y); }))
        throw std::runtime_error("pairs out of order");
    return pairs;
}

QString describe(const PairKey& key)
{
    return QStringLiteral("%1 %2-%3").arg(QString::fromStdString(std::get<0>(key))).arg(std::get<1>(key)).arg(std::get<2>(key));
}

} // namespace

class TestCliDataset : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void describesTheChapterDataset()
    {
        const auto r = runStudio({"dataset", shared("data/instruction-data.json"), "--tokenizer",
                                  shared("data/gpt2-tokenizer"), "--max-length", "90"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("entries: 1100 valid, 0 invalid"), qPrintable(r.out));
        QVERIFY(r.out.contains("split: 935 train, 55 validation, 110 test"));
        QVERIFY(r.out.contains("tokens per entry: 40 to 91"));
        // The independent tokenizer's IDs of the same formatted entries say how many exceed 90.
        const auto oracle = nlohmann::json::parse(sft::readFile(sft::test::sharedPath("data/tokenizer-oracle/instruction-data.alpaca-tokens.json")));
        const auto longer = std::count_if(oracle.begin(), oracle.end(), [](const auto& e) { return e.at("ids").size() > 90; });
        QVERIFY(longer > 0);
        QVERIFY2(r.out.contains(QStringLiteral("longer than --max-length 90: %1\n").arg(longer)), qPrintable(r.out));
    }

    void listsInvalidEntriesAndExitsWithThree()
    {
        QTemporaryDir tmp;
        const std::string path = tmp.filePath("mixed.json").toStdString();
        sft::writeFileAtomic(path, R"([{"instruction": "a", "output": "b"}, {"instruction": "c"}, {"instruction": "d", "output": 5}])");
        const auto r = runStudio({"dataset", QString::fromStdString(path), "--tokenizer", shared("data/gpt2-tokenizer")});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.out.contains("entries: 1 valid, 2 invalid"), qPrintable(r.out));
        QVERIFY(r.out.contains("invalid: entry 1: field 'output' is missing"));
        QVERIFY(r.out.contains("invalid: entry 2: field 'output'"));
    }

    void fetchesTheChapterDatasetIntoTheCache()
    {
        sft::test::FakeHubServer server;
        const QByteArray bytes = QByteArray::fromStdString(sft::readFile(sft::test::sharedPath("data/instruction-data.json")));
        server.addFile("rasbt", "instruction-data.json", bytes, false);
        QTemporaryDir cache;
        qputenv("XDG_CACHE_HOME", cache.path().toUtf8());
        qputenv("SFT_CHAPTER_DATASET_URL", (server.endpoint() + "/rasbt/resolve/main/instruction-data.json").toUtf8());
        const auto r = runStudio({"dataset", "--fetch-chapter", "--tokenizer", shared("data/gpt2-tokenizer")});
        qunsetenv("SFT_CHAPTER_DATASET_URL");
        qunsetenv("XDG_CACHE_HOME");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(cache.filePath("sft-studio/datasets/instruction-data.json")));
        QVERIFY(r.out.contains("entries: 1100 valid"));
        QCOMPARE(QByteArray::fromStdString(sft::readFile(cache.filePath("sft-studio/datasets/instruction-data.json").toStdString())), bytes);
    }

    void usageErrors()
    {
        QCOMPARE(runStudio({"dataset"}).exitCode, 2);
        const auto missing = runStudio({"dataset", "/no/such.json", "--tokenizer", shared("data/gpt2-tokenizer")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("/no/such.json"), qPrintable(missing.err));
    }

    // The acceptance test: for the chapter's file, the extra instruction sets, the book's own
    // example file, its generated sample (with a bad entry) and texts in many scripts, every
    // field at a high and a low threshold lists the pairs tests/support/near_duplicates_sklearn.py
    // finds with scikit-learn as the book does (its row numbers mapped back to entries).
    void nearDuplicatesMatchScikitLearn()
    {
        const QString script = QFINDTESTDATA("support/near_duplicates_sklearn.py");
        QVERIFY2(!script.isEmpty(), "tests/support/near_duplicates_sklearn.py not found");
        QTemporaryDir tmp;
        const QString unicodeFile = tmp.filePath("many-scripts.json");
        sft::writeFileAtomic(unicodeFile.toStdString(), unicodeDataset());
        QStringList files = {shared("data/instruction-data.json"),
                             shared("data/ch07-extras/02_dataset-utilities/instruction-examples.json"),
                             shared("data/ch07-extras/05_dataset-generation/instruction-data-llama3-7b.json"), unicodeFile};
        const QDir extra(shared("data/extra-instruction-sets"));
        for (const QString& name : extra.entryList(QDir::Files, QDir::Name))
            files << extra.filePath(name);
        size_t compared = 0, refused = 0;
        for (const QString& file : files) {
            for (const QString threshold : {"0.9", "0.5"}) {
                QProcess python;
                python.start("/usr/bin/python3", {script, file, "all", threshold});
                if (!python.waitForStarted())
                    QFAIL("/usr/bin/python3 is missing: install python3 and python3-sklearn (./studio test does)");
                QVERIFY(python.waitForFinished(600000));
                if (python.exitCode() == 3)
                    QFAIL("scikit-learn is missing from /usr/bin/python3: install python3-sklearn (./studio test does)");
                if (python.exitCode() == 2) {
                    // An entry lacks the field: the book's script stops with a KeyError, and we refuse the file.
                    const auto r = runStudio({"dataset", file, "--near-duplicates", "--threshold", threshold, "--json"});
                    QVERIFY2(r.exitCode == 1 && r.err.contains("is missing"), qPrintable(file + ": " + r.err));
                    ++refused;
                    continue;
                }
                QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
                const auto expected = pairsOf(QString::fromUtf8(python.readAllStandardOutput()));
                for (const char* field : {"instruction", "input", "output"}) {
                    const auto r = runStudio({"dataset", file, "--near-duplicates", "--field", field, "--threshold",
                                              threshold, "--json"});
                    QVERIFY2(r.exitCode == 0 || r.exitCode == 3, qPrintable(r.err));
                    const auto ours = pairsOf(r.out);
                    for (const auto& [key, similarity] : expected)
                        if (std::get<0>(key) == field)
                            QVERIFY2(ours.count(key), qPrintable(file + ": missing " + describe(key) + " at " + threshold));
                    for (const auto& [key, similarity] : ours) {
                        QVERIFY2(expected.count(key), qPrintable(file + ": extra " + describe(key) + " at " + threshold));
                        QVERIFY2(std::abs(similarity - expected.at(key)) <= 1e-6,
                                 qPrintable(file + ": " + describe(key) + QStringLiteral(" %1 vs scikit-learn's %2")
                                                                               .arg(similarity, 0, 'g', 17)
                                                                               .arg(expected.at(key), 0, 'g', 17)));
                    }
                    compared += ours.size();
                }
            }
        }
        QCOMPARE(refused, size_t(2)); // self-instruct-seed_tasks.jsonl: 'output' is inside 'instances'
        QVERIFY2(compared > 15000, qPrintable(QString::number(compared)));
    }

    void nearDuplicatesReadLikeTheBook()
    {
        const auto r = runStudio({"dataset", shared("data/instruction-data.json"), "--near-duplicates", "--field", "output"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("==================================================\nSearching 'output' for duplicates ...\n"
                                "==================================================\n"
                                "Duplicate pair found with similarity 0.90 (entries 467 and 722):\n"
                                "1. The opposite of 'cheap' is 'expensive'.\n"
                                "2. The opposite of 'expensive' is 'cheap'.\n"),
                 qPrintable(r.out));
        QVERIFY(r.out.contains("near-duplicate pairs (similarity above 0.9): output 1\n"));
        const auto none = runStudio({"dataset", shared("data/instruction-data.json"), "--near-duplicates", "--field",
                                     "output", "--threshold", "0.95"});
        QVERIFY(none.out.contains("No duplicates found\n"));
    }

    // The book's removal on a file in the chapter's form: instruction pairs keep both entries,
    // input and output pairs lose the second, later fields see only what earlier ones left; the
    // entries kept are written back as they were.
    void removesDuplicatesIntoANewFile()
    {
        const std::string items[4] = {
            "{\n        \"instruction\": \"Name a fruit\",\n        \"input\": \"apple pie\",\n        \"output\": \"Answer one\"\n    }",
            "{\n        \"instruction\": \"Name a fruit\",\n        \"input\": \"apple pie\",\n        \"output\": \"Answer two\"\n    }",
            "{\n        \"instruction\": \"Something else\",\n        \"input\": \"\",\n        \"output\": \"Answer two\"\n    }",
            "{\n        \"instruction\": \"Other thing\",\n        \"input\": \"\",\n        \"output\": \"Answer  two\"\n    }"};
        // The chapter's json.dump(data, f, indent=4) form.
        const auto file = [&](std::initializer_list<int> which) {
            std::string bytes = "[";
            for (int k : which)
                bytes += (bytes.size() == 1 ? "\n    " : ",\n    ") + items[k];
            return bytes + "\n]";
        };
        QTemporaryDir tmp;
        const QString path = tmp.filePath("small.json");
        sft::writeFileAtomic(path.toStdString(), file({0, 1, 2, 3}));
        // Entry 1 goes for its input, so the output search sees 0, 2 and 3 only; 3 goes for its output.
        const QString out = tmp.filePath("clean.json");
        const auto r = runStudio({"dataset", path, "--remove-near-duplicates", "--out", out, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto pairs = pairsOf(r.out);
        QCOMPARE(pairs.size(), size_t(3));
        QVERIFY(pairs.count({"instruction", 0, 1}) && pairs.count({"input", 0, 1}) && pairs.count({"output", 2, 3}));
        QVERIFY2(r.err.contains("removed 2 of 4 entries"), qPrintable(r.err));
        QCOMPARE(sft::readFile(out.toStdString()), file({0, 2}));
        // Exact duplicates: "Answer  two" is "Answer two" once whitespace is normalised.
        const QString exactOut = tmp.filePath("exact.json");
        const auto exact = runStudio({"dataset", path, "--remove-exact-duplicates", "--field", "output", "--out", exactOut});
        QVERIFY2(exact.exitCode == 0, qPrintable(exact.err));
        QVERIFY2(exact.out.contains("exact-duplicate pairs: output 2"), qPrintable(exact.out));
        QVERIFY(exact.out.contains("removed 2 of 4 entries"));
        QCOMPARE(sft::readFile(exactOut.toStdString()), file({0, 1}));
        const auto listed = runStudio({"dataset", path, "--exact-duplicates", "--json"});
        QCOMPARE(pairsOf(listed.out).size(), size_t(4)); // instruction 0-1, input 0-1, output 1-2 and 1-3
        QVERIFY2(listed.err.contains("exact-duplicate pairs: instruction 1, input 1, output 2"), qPrintable(listed.err));
    }

    void duplicateFlagsAreChecked_data()
    {
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("message");
        QTest::newRow("threshold 0") << QStringList{"--near-duplicates", "--threshold", "0"} << "--threshold must be above 0";
        QTest::newRow("threshold above 1") << QStringList{"--near-duplicates", "--threshold", "1.5"} << "--threshold must be";
        QTest::newRow("threshold not a number") << QStringList{"--near-duplicates", "--threshold", "high"} << "--threshold must be";
        QTest::newRow("unknown field") << QStringList{"--near-duplicates", "--field", "response"} << "unknown field 'response'";
        QTest::newRow("removal without out") << QStringList{"--remove-near-duplicates"} << "need --out FILE";
        QTest::newRow("out without removal") << QStringList{"--near-duplicates", "--out", "x.json"} << "--out goes with";
        QTest::newRow("two searches") << QStringList{"--near-duplicates", "--exact-duplicates"} << "give one of";
        QTest::newRow("threshold for exact") << QStringList{"--exact-duplicates", "--threshold", "0.5"} << "--threshold is for near";
        QTest::newRow("json alone") << QStringList{"--json"} << "--json goes with";
    }

    void duplicateFlagsAreChecked()
    {
        QFETCH(QStringList, flags);
        QFETCH(QString, message);
        const auto r = runStudio(QStringList{"dataset", shared("data/instruction-data.json")} + flags);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliDataset)
#include "test_cli_dataset.moc"
