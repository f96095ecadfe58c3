// sft-studio dataset: the Data view's facts headless — the chapter's split, its token-length
// range (shared/data/README.md: 40 to 91) and the count a max length cuts (from the oracle's
// IDs), invalid entries listed with exit code 3, the chapter-7 file fetched from a local server.

#include "core/util/files.h"
#include "tests/support/fake_hub_server.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>

using sft::test::runStudio;

namespace {

QString shared(const char* relative) { return QString::fromStdString(sft::test::sharedPath(relative)); }

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
};

QTEST_GUILESS_MAIN(TestCliDataset)
#include "test_cli_dataset.moc"
