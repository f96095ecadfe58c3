// `sft-studio download` against a local stand-in for the Hugging Face hub: the folder it
// prints, Ctrl-C in the middle of the weights, and the rerun that resumes with a Range request.

#include "tests/support/fake_hub_server.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using sft::test::FakeHubServer;
using sft::test::fileBytes;
using sft::test::randomBytes;
using sft::test::FileFaults;
using sft::test::runStudio;

namespace {

const QString kRepo = "openai-community/gpt2-medium";

} // namespace

class TestCliDownload : public QObject {
    Q_OBJECT

private:
    FakeHubServer server_;
    QByteArray weights_ = randomBytes(2 << 20, 11);

    void serveGpt2Medium()
    {
        server_.addFile(kRepo, "config.json", "{\"n_layer\": 24}", false);
        server_.addFile(kRepo, "vocab.json", "{\"!\": 0}", false);
        server_.addFile(kRepo, "merges.txt", "#version: 0.2\n", false);
        server_.addFile(kRepo, "model.safetensors", weights_, true);
    }

    QStringList downloadArgs(const QTemporaryDir& cache) const
    {
        return {"download", "gpt2-medium", "--cache", cache.path(), "--endpoint", server_.endpoint()};
    }

private Q_SLOTS:
    void initTestCase() { serveGpt2Medium(); }

    void downloadsIntoTheCacheAndPrintsTheFolder()
    {
        QTemporaryDir cache;
        const auto first = runStudio(downloadArgs(cache));
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        QCOMPARE(first.out.trimmed(), cache.filePath("gpt2-medium"));
        QCOMPARE(fileBytes(cache.filePath("gpt2-medium/model.safetensors")), weights_);
        QCOMPARE(fileBytes(cache.filePath("gpt2-medium/config.json")), QByteArray("{\"n_layer\": 24}"));

        const auto again = runStudio(downloadArgs(cache));
        QCOMPARE(again.exitCode, 0);
        QVERIFY2(again.err.contains("gpt2-medium is already downloaded"), qPrintable(again.err));
    }

    void resumesAfterCtrlC()
    {
        QTemporaryDir cache;
        const QString part = cache.filePath("gpt2-medium/model.safetensors.part");
        FileFaults slow;
        slow.bytesPerSecond = 400'000;
        server_.setFaults("model.safetensors", slow);

        QProcess interrupted;
        interrupted.start(QStringLiteral(SFT_BINARY), downloadArgs(cache));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(part).size() > 0, 20000);
        ::kill(pid_t(interrupted.processId()), SIGINT);
        QVERIFY(interrupted.waitForFinished(10000));
        const QString err = QString::fromUtf8(interrupted.readAllStandardError());
        QCOMPARE(interrupted.exitCode(), 130);
        QVERIFY2(err.contains(part + " keeps") && err.contains("again to resume"), qPrintable(err));
        QVERIFY(!QFile::exists(cache.filePath("gpt2-medium/model.safetensors")));
        const int64_t kept = QFileInfo(part).size();
        QVERIFY(kept > 0 && kept < weights_.size());

        server_.setFaults("model.safetensors", {});
        const auto rerun = runStudio(downloadArgs(cache));
        QVERIFY2(rerun.exitCode == 0, qPrintable(rerun.err));
        QVERIFY2(rerun.err.contains("resuming model.safetensors"), qPrintable(rerun.err));
        QCOMPARE(server_.requests().last().range, "bytes=" + QByteArray::number(kept) + "-");
        QCOMPARE(fileBytes(cache.filePath("gpt2-medium/model.safetensors")), weights_);
        QVERIFY(!QFile::exists(part));
    }

    void listsTheModelsForAnUnknownName()
    {
        const auto result = runStudio({"download", "gpt3"});
        QCOMPARE(result.exitCode, 2);
        QVERIFY2(result.err.contains("unknown model 'gpt3'") && result.err.contains("gpt2-xl"), qPrintable(result.err));
    }

    void explainsAnEndpointWithoutTheModel()
    {
        QTemporaryDir cache;
        const auto result =
            runStudio({"download", "gpt2-xl", "--cache", cache.path(), "--endpoint", server_.endpoint()});
        QCOMPARE(result.exitCode, 1);
        QVERIFY2(result.err.contains("sft-studio: error: " + server_.endpoint() +
                                     "/openai-community/gpt2-xl/resolve/main/config.json answered HTTP 404"),
                 qPrintable(result.err));
    }
};

QTEST_GUILESS_MAIN(TestCliDownload)
#include "test_cli_download.moc"
