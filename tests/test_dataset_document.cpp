// Editing a dataset file: saving keeps its form (the bytes of every untouched entry, the writer's
// style for edited ones, checked against Python's json module), atomic saves, and the autosave
// that brings edits back after a crash.

#include "core/data/dataset_autosave.h"
#include "core/data/dataset_document.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace sft;
using nlohmann::ordered_json;

namespace {

// Python's json.dump of the file after the same edits: the independent writer the chapter used.
std::string pythonRewrite(const std::string& path, const std::string& script)
{
    QProcess python;
    python.start("/usr/bin/python3", {"-c", QString::fromStdString(
                                                "import json, sys\n"
                                                "data = json.load(open(sys.argv[1], encoding='utf-8'))\n" +
                                                script + "\nsys.stdout.write(json.dumps(data, indent=4))\n"),
                                      QString::fromStdString(path)});
    if (!python.waitForFinished(60000) || python.exitCode() != 0)
        return "python failed: " + python.readAllStandardError().toStdString();
    return python.readAllStandardOutput().toStdString();
}

// Every entry written anew: the document's writer must give the file's own bytes back.
std::string rewrittenWhole(const DatasetDocument& read)
{
    DatasetDocument document = read;
    for (size_t i = 0; i < document.size(); ++i)
        document.replace(i, document.item(i).value);
    return document.serialize();
}

std::string writeScratch(const QTemporaryDir& dir, const std::string& name, const std::string& bytes)
{
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    writeFileAtomic(path, bytes);
    return path;
}

} // namespace

class DatasetDocumentTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unchangedFilesRoundTripByteForByte_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("chapter, indent 4, ASCII escapes") << "data/instruction-data.json";
        QTest::newRow("self-instruct, indent 1, UTF-8") << "data/extra-instruction-sets/self-instruct-seed_tasks.alpaca.json";
        QTest::newRow("preference data") << "data/ch07-extras/04_preference-tuning-with-dpo/instruction-data-with-preference.json";
        QTest::newRow("generated data") << "data/ch07-extras/05_dataset-generation/instruction-data-llama3-7b.json";
    }

    void unchangedFilesRoundTripByteForByte()
    {
        QFETCH(QString, file);
        const std::string path = test::sharedPath(file.toStdString());
        const std::string bytes = readFile(path);
        const DatasetDocument document = DatasetDocument::open(path);
        QCOMPARE(document.serialize(), bytes);
        // The form read off the file writes every entry exactly as the file has it.
        QCOMPARE(rewrittenWhole(document), bytes);
    }

    void formsOfHandWrittenFilesAreKept_data()
    {
        QTest::addColumn<QString>("bytes");
        QTest::newRow("JSON Lines, json.dumps") << QString(R"({"instruction": "a", "output": "\u00e9t\u00e9"}
{"instruction": "b", "input": "x", "output": "y"}
)");
        QTest::newRow("JSON Lines, compact, CRLF, BOM, UTF-8") << QString("\xEF\xBB\xBF{\"instruction\":\"é\",\"output\":\"b\"}\r\n"
                                                                         "{\"output\":\"d\",\"instruction\":\"c\"}\r\n");
        QTest::newRow("array, two spaces, nested") << QString(R"([
  {
    "instruction": "a",
    "output": "b",
    "tags": [
      "x",
      "y"
    ],
    "meta": {}
  },
  {
    "instruction": "c",
    "output": "d",
    "tags": []
  }
]
)");
        QTest::newRow("array, one line") << QString(R"([{"instruction": "a", "output": "b"}, {"instruction": "c", "output": "d"}])");
        QTest::newRow("array, tabs") << QString("[\n\t{\n\t\t\"instruction\": \"a\",\n\t\t\"output\": \"b\"\n\t},\n\t{\n\t\t\"instruction\": \"c\",\n\t\t\"output\": \"d\"\n\t}\n]");
    }

    void formsOfHandWrittenFilesAreKept()
    {
        QFETCH(QString, bytes);
        const std::string text = bytes.toStdString();
        const DatasetDocument document = DatasetDocument::parse(text, "hand.json");
        QCOMPARE(document.serialize(), text);
        QCOMPARE(rewrittenWhole(document), text);
    }

    void editsChangeOnlyTheEditedEntriesAsPythonWouldWriteThem()
    {
        const std::string path = test::sharedPath("data/instruction-data.json");
        DatasetDocument document = DatasetDocument::open(path);
        const size_t before = document.size();
        document.setText(5, "output", "Caf\u00e9 \"quoted\"\nnew line");
        document.setText(7, "input", "");
        document.remove(10);
        document.insert(3, ordered_json{{"instruction", "New task"}, {"input", ""}, {"output", "Done \u2713"}});
        document.move(0, 2);
        const std::string expected = pythonRewrite(
            path, "data[5]['output'] = 'Caf\\u00e9 \"quoted\"\\nnew line'\n"
                  "data[7]['input'] = ''\n"
                  "del data[10]\n"
                  "data.insert(3, {'instruction': 'New task', 'input': '', 'output': 'Done \\u2713'})\n"
                  "data.insert(2, data.pop(0))");
        QCOMPARE(document.serialize(), expected);
        const Dataset edited = document.dataset();
        QCOMPARE(edited.entries.size(), before);
        QCOMPARE(edited.entries[3].instruction, std::string("New task"));
    }

    void saveWritesAtomicallyAndReadsBack()
    {
        QTemporaryDir dir;
        const std::string path = writeScratch(dir, "data.json", readFile(test::sharedPath("data/instruction-data.json")));
        DatasetDocument document = DatasetDocument::open(path);
        document.setText(1, "instruction", "Edited");
        const std::string bytes = document.serialize();
        document.save();
        QCOMPARE(readFile(path), bytes);
        QCOMPARE(document.savedSha256(), sha256Hex(bytes));
        QCOMPARE(document.item(1).raw.has_value(), true); // read back: the saved text is the file's now
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 1); // no temporary left
        const std::string copy = dir.filePath("copy.jsonl").toStdString();
        document.saveAs(copy);
        QCOMPARE(document.path(), copy);
        QCOMPARE(readFile(copy), bytes);
    }

    void newDocumentsAreWrittenInTheChaptersForm()
    {
        QTemporaryDir dir;
        DatasetDocument document = DatasetDocument::fromItems(
            {ordered_json{{"instruction", "a"}, {"input", ""}, {"output", "\u00fc"}}, ordered_json{{"instruction", "b"}, {"output", "c"}}});
        QVERIFY_THROWS_EXCEPTION(DatasetError, document.save());
        const std::string path = dir.filePath("new.json").toStdString();
        document.saveAs(path);
        QCOMPARE(readFile(path), pythonRewrite(path, ""));
    }

    void anAutosaveBringsTheEditsBack()
    {
        QTemporaryDir dir;
        const std::string original = readFile(test::sharedPath("data/instruction-data.json"));
        const std::string path = writeScratch(dir, "data.json", original);
        DatasetDocument document = DatasetDocument::open(path);
        QVERIFY(!findAutosave(path));
        document.setText(2, "output", "Kept after a crash");
        document.remove(0);
        writeAutosave(document);
        const auto info = findAutosave(path);
        QVERIFY(info);
        QVERIFY(info->matchesFile);
        QCOMPARE(info->items, document.size());
        QCOMPARE(info->changed, size_t(1));
        const DatasetDocument restored = restoreAutosave(path);
        QCOMPARE(restored.serialize(), document.serialize());
        QCOMPARE(readFile(path), original); // restoring does not save

        writeFileAtomic(path, original + "\n");
        QVERIFY(!findAutosave(path)->matchesFile);
        QVERIFY_THROWS_EXCEPTION(DatasetError, restoreAutosave(path));
        discardAutosave(path);
        QVERIFY(!findAutosave(path));
    }

    void aDamagedAutosaveIsRefusedClearly()
    {
        QTemporaryDir dir;
        const std::string path = writeScratch(dir, "data.json", R"([{"instruction": "a", "output": "b"}])");
        writeFileAtomic(autosavePathFor(path), "{\"kind\": \"sft-studio dataset edits\", \"items\": [");
        QVERIFY(!findAutosave(path)->matchesFile);
        try {
            restoreAutosave(path);
            QFAIL("a damaged autosave was restored");
        } catch (const DatasetError& e) {
            QVERIFY2(std::string(e.what()).find("damaged") != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(DatasetDocumentTest)
#include "test_dataset_document.moc"
