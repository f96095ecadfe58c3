// The chapter-7 dataset fetched into the cache: the book's address, the XDG cache folder, one
// download and then none, checked against the published sha256; offline, or from a server that
// sends other bytes, the bundled copy.

#include "core/hub/chapter_dataset.h"
#include "core/util/files.h"
#include "tests/support/fake_hub_server.h"
#include "tests/support/test_support.h"

#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace sft;
using sft::test::FakeHubServer;

namespace {

const QString kRepo = "rasbt/LLMs-from-scratch";

} // namespace

class TestChapterDataset : public QObject {
    Q_OBJECT

private:
    QTemporaryDir cache_;
    FakeHubServer server_;
    QByteArray bytes_;
    const QByteArray other_ = R"([{"instruction": "Say hi", "input": "", "output": "Hi"}])";

    // fetchChapterDataset from `url` into an empty cache: the file's bytes and the note.
    std::pair<QByteArray, QString> fetchInto(const QTemporaryDir& cache, const QString& url)
    {
        qputenv("XDG_CACHE_HOME", cache.path().toUtf8());
        qputenv("SFT_CHAPTER_DATASET_URL", url.toUtf8());
        QString note;
        const std::string path = fetchChapterDataset({}, nullptr, [&](const std::string& line) { note += QString::fromStdString(line); });
        qputenv("XDG_CACHE_HOME", cache_.path().toUtf8());
        return {QByteArray::fromStdString(readFile(path)), note};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(cache_.isValid());
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        bytes_ = QByteArray::fromStdString(readFile(test::sharedPath("data/instruction-data.json")));
        qputenv("XDG_CACHE_HOME", cache_.path().toUtf8());
        server_.addFile(kRepo, "instruction-data.json", bytes_, false);
        server_.addFile("elsewhere/data", "instruction-data.json", other_, false);
    }

    void theBooksAddress()
    {
        qunsetenv("SFT_CHAPTER_DATASET_URL");
        QCOMPARE(QString::fromStdString(chapterDatasetUrl()),
                 QString("https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch07/01_main-chapter-code/"
                         "instruction-data.json"));
        QCOMPARE(QString::fromStdString(chapterDatasetPath()),
                 cache_.filePath("sft-studio/datasets/instruction-data.json"));
    }

    void downloadsOnceIntoTheCache()
    {
        qputenv("SFT_CHAPTER_DATASET_URL",
                (server_.endpoint() + "/" + kRepo + "/resolve/main/instruction-data.json").toUtf8());
        int64_t lastBytes = 0;
        QString note;
        const std::string path = fetchChapterDataset([&](const DownloadProgress& p) { lastBytes = p.bytes; }, nullptr,
                                                     [&](const std::string& line) { note = QString::fromStdString(line); });
        QVERIFY2(note.startsWith("downloaded ") && note.contains("sha256 is the book's"), qPrintable(note));
        QCOMPARE(QString::fromStdString(path), cache_.filePath("sft-studio/datasets/instruction-data.json"));
        QCOMPARE(QByteArray::fromStdString(readFile(path)), bytes_);
        QCOMPARE(lastBytes, int64_t(bytes_.size()));
        const auto requests = server_.requests().size();
        QCOMPARE(fetchChapterDataset({}, nullptr), path);
        QCOMPARE(server_.requests().size(), requests);
    }

    // Offline: the bundled copy, which is the book's file byte for byte.
    void offlineGivesTheBundledCopy()
    {
        QTemporaryDir emptyCache;
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QString url = QStringLiteral("http://127.0.0.1:%1/instruction-data.json").arg(closed.serverPort());
        closed.close();
        const auto [bytes, note] = fetchInto(emptyCache, url);
        QCOMPARE(bytes, bytes_);
        QVERIFY2(note.contains("could not download") && note.contains("bundled with SFT Studio"), qPrintable(note));
    }

    // A server that answers with other bytes is not taken for the book's file.
    void otherBytesAreRefused()
    {
        QTemporaryDir emptyCache;
        const auto [bytes, note] =
            fetchInto(emptyCache, server_.endpoint() + "/elsewhere/data/resolve/main/instruction-data.json");
        QCOMPARE(bytes, bytes_);
        QVERIFY2(note.contains("another file than the book's dataset"), qPrintable(note));
    }
};

QTEST_GUILESS_MAIN(TestChapterDataset)
#include "test_chapter_dataset.moc"
