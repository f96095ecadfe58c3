// The chapter-7 dataset fetched into the cache: the book's address, the XDG cache folder, one
// download and then none, and what offline looks like.

#include "core/hub/chapter_dataset.h"
#include "core/hub/download_error.h"
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
    QByteArray bytes_ = R"([{"instruction": "Say hi", "input": "", "output": "Hi"}])";

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(cache_.isValid());
        qputenv("XDG_CACHE_HOME", cache_.path().toUtf8());
        server_.addFile(kRepo, "instruction-data.json", bytes_, false);
    }

    void theBooksAddress()
    {
        qunsetenv("SFT_CHAPTER_DATASET_URL");
        QCOMPARE(chapterDatasetUrl().toString(),
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
        const std::string path = fetchChapterDataset([&](const DownloadProgress& p) { lastBytes = p.bytes; }, nullptr);
        QCOMPARE(QString::fromStdString(path), cache_.filePath("sft-studio/datasets/instruction-data.json"));
        QCOMPARE(QByteArray::fromStdString(readFile(path)), bytes_);
        QCOMPARE(lastBytes, int64_t(bytes_.size()));
        const auto requests = server_.requests().size();
        QCOMPARE(fetchChapterDataset({}, nullptr), path);
        QCOMPARE(server_.requests().size(), requests);
    }

    void offlineSaysItCannotReach()
    {
        QTemporaryDir emptyCache;
        qputenv("XDG_CACHE_HOME", emptyCache.path().toUtf8());
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QString url = QStringLiteral("http://127.0.0.1:%1/instruction-data.json").arg(closed.serverPort());
        closed.close();
        qputenv("SFT_CHAPTER_DATASET_URL", url.toUtf8());
        try {
            fetchChapterDataset({}, nullptr);
            QFAIL("fetched from a closed port");
        } catch (const DownloadError& e) {
            QCOMPARE(e.kind(), DownloadError::Kind::Unreachable);
        }
        QVERIFY(!fileExists(chapterDatasetPath()));
        qputenv("XDG_CACHE_HOME", cache_.path().toUtf8());
    }
};

QTEST_GUILESS_MAIN(TestChapterDataset)
#include "test_chapter_dataset.moc"
