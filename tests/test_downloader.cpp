// The downloader against a local stand-in for the Hugging Face hub: redirects to a CDN with
// the checksum on the redirect, git-sha1 ETags, resume after a dropped connection, refused
// checksums, 404, stalls, offline, redirect loops, cancel.

#include "core/hub/announced_checksum.h"
#include "core/hub/download_error.h"
#include "core/hub/downloader.h"
#include "core/hub/model_download.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/download_attempt.h"
#include "tests/support/fake_hub_server.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <memory>
#include <optional>

using namespace sft;
using sft::test::downloadError;
using sft::test::FakeHubServer;
using sft::test::fileBytes;
using sft::test::randomBytes;
using sft::test::FileFaults;

namespace {

const QString kRepo = "openai-community/gpt2";
const DownloadTimeouts kQuick{2000, 1000};

// The Range headers of the requests that asked for the file's bytes: on the CDN for the LFS
// file, on the hub for the others.
QList<QByteArray> rangesAskedFor(const FakeHubServer& server, const QString& file = "model.safetensors")
{
    const bool lfs = file == "model.safetensors";
    QList<QByteArray> ranges;
    for (const auto& request : server.requests())
        if (lfs ? request.onCdn : request.path.endsWith("/" + file.toUtf8()))
            ranges << request.range;
    return ranges;
}

} // namespace

class TestDownloader : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<FakeHubServer> server_;
    std::unique_ptr<QTemporaryDir> dir_;
    QByteArray weights_ = randomBytes(1 << 20, 7);
    QByteArray config_ = "{\"n_ctx\": 1024, \"n_embd\": 768, \"n_head\": 12, \"n_layer\": 12}";
    QByteArray vocab_ = "{\"!\": 0, \"\\\"\": 1}";
    QByteArray merges_ = "#version: 0.2\n\xc4\xa0 t\n";

    QString url(const QString& file) const
    {
        return QString::fromStdString(hubFileUrl(server_->endpoint().toStdString(), kRepo.toStdString(), file.toStdString()));
    }
    QString path(const QString& name) const { return dir_->filePath(name); }
    DownloadOutcome fetch(const QString& file, const DownloadProgressFn& onProgress = {},
                          const JobControl* job = nullptr)
    {
        return downloadFile(url(file).toStdString(), path(file).toStdString(), kQuick, onProgress, job);
    }

private Q_SLOTS:
    void init()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        server_ = std::make_unique<FakeHubServer>();
        server_->addFile(kRepo, "config.json", config_, false);
        server_->addFile(kRepo, "vocab.json", vocab_, false);
        server_->addFile(kRepo, "merges.txt", merges_, false);
        server_->addFile(kRepo, "model.safetensors", weights_, true);
    }

    void cleanup()
    {
        server_.reset();
        dir_.reset();
    }

    void readsTheChecksumsTheHubAnnounces()
    {
        const QByteArray sha256 = "248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707";
        const QByteArray sha1 = "10c66461e4c109db5a2196bff4bb59be30396ed8";
        const auto etag = [](const QByteArray& value) { return parseEtag(value.toStdString()); };
        QCOMPARE(etag('"' + sha256 + '"').kind, AnnouncedChecksum::Kind::Sha256);
        QCOMPARE(QByteArray::fromStdString(etag('"' + sha256.toUpper() + '"').hex), sha256);
        QCOMPARE(etag("W/\"" + sha1 + '"').kind, AnnouncedChecksum::Kind::GitBlobSha1);
        QCOMPARE(QByteArray::fromStdString(etag(sha1).hex), sha1);
        QCOMPARE(etag("\"9e107d9d372bb6826bd81d3542a419d6\"").kind, AnnouncedChecksum::Kind::None); // an MD5
        QCOMPARE(etag("\"" + sha1.left(39) + "g\"").kind, AnnouncedChecksum::Kind::None);
        QCOMPARE(parseEtag("").kind, AnnouncedChecksum::Kind::None);
    }

    void computesChecksumsAsGitAndSha256Do()
    {
        // Expected values from `git hash-object` and `sha256sum`.
        writeFileAtomic(path("hello").toStdString(), "hello\n");
        writeFileAtomic(path("empty").toStdString(), "");
        writeFileAtomic(path("abc").toStdString(), "abc");
        const auto sum = [this](const QString& name, AnnouncedChecksum::Kind kind) {
            return checksumOfFile(path(name).toStdString(), kind, {}, nullptr);
        };
        QCOMPARE(sum("hello", AnnouncedChecksum::Kind::GitBlobSha1), "ce013625030ba8dba906f756967f9e9ca394464a");
        QCOMPARE(sum("empty", AnnouncedChecksum::Kind::GitBlobSha1), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
        QCOMPARE(sum("abc", AnnouncedChecksum::Kind::Sha256),
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    void buildsHubAddresses()
    {
        QCOMPARE(hubFileUrl("https://huggingface.co", "openai-community/gpt2-medium", "model.safetensors"),
                 "https://huggingface.co/openai-community/gpt2-medium/resolve/main/model.safetensors");
        QCOMPARE(hubFileUrl("https://mirror.example/hf/", "openai-community/gpt2", "config.json"),
                 "https://mirror.example/hf/openai-community/gpt2/resolve/main/config.json");
        QCOMPARE(hubFileUrl("https://mirror.example/hf", "openai-community/gpt2", "config.json"),
                 "https://mirror.example/hf/openai-community/gpt2/resolve/main/config.json");
        qunsetenv("SFT_HF_ENDPOINT");
        QCOMPARE(hubEndpoint(), "https://huggingface.co");
        qputenv("SFT_HF_ENDPOINT", "http://127.0.0.1:8080");
        QCOMPARE(hubEndpoint(), "http://127.0.0.1:8080");
        QCOMPARE(hubEndpoint("https://hf-mirror.com"), "https://hf-mirror.com");
        qunsetenv("SFT_HF_ENDPOINT");
        QVERIFY_THROWS_EXCEPTION(ConfigError, hubEndpoint("ftp://mirror.example"));
        QVERIFY_THROWS_EXCEPTION(ConfigError, hubEndpoint("huggingface.co"));
    }

    void downloadsAModelFolderThroughTheCdn()
    {
        std::vector<ModelFileProgress> events;
        const ModelCache cache(path("cache").toStdString());
        const ModelDownload result =
            downloadModel(*findCatalogModel("gpt2-small"), cache, server_->endpoint().toStdString(), kQuick,
                          [&](const ModelFileProgress& p) { events.push_back(p); }, nullptr);

        const QString folder = path("cache/gpt2-small");
        QCOMPARE(QString::fromStdString(result.folder), folder);
        QCOMPARE(fileBytes(folder + "/config.json"), config_);
        QCOMPARE(fileBytes(folder + "/vocab.json"), vocab_);
        QCOMPARE(fileBytes(folder + "/merges.txt"), merges_);
        QCOMPARE(fileBytes(folder + "/model.safetensors"), weights_);
        QCOMPARE(result.fetched.size(), size_t(4));
        QVERIFY(result.unverified.empty());
        QCOMPARE(QDir(folder).entryList(QDir::Files | QDir::Hidden).size(), 4); // no .part left behind
        QCOMPARE(rangesAskedFor(*server_), QList<QByteArray>{QByteArray()}); // the weights came from the CDN

        int64_t last = -1;
        bool verified = false;
        for (const ModelFileProgress& p : events) {
            if (p.file != "model.safetensors")
                continue;
            QCOMPARE(p.index, 3);
            QCOMPARE(p.count, 4);
            QCOMPARE(p.transfer.total, int64_t(weights_.size()));
            if (p.transfer.phase == DownloadProgress::Phase::Verifying) {
                verified = true;
                continue;
            }
            QVERIFY(p.transfer.bytes >= last);
            last = p.transfer.bytes;
        }
        QCOMPARE(last, int64_t(weights_.size()));
        QVERIFY(verified);
    }

    void verifiesEachFileByTheKindOfChecksumItCarries()
    {
        QCOMPARE(fetch("config.json").checksum.kind, AnnouncedChecksum::Kind::GitBlobSha1);
        const DownloadOutcome weights = fetch("model.safetensors");
        QCOMPARE(weights.checksum.kind, AnnouncedChecksum::Kind::Sha256);
        QCOMPARE(QByteArray::fromStdString(weights.checksum.hex),
                 QCryptographicHash::hash(weights_, QCryptographicHash::Sha256).toHex());
    }

    void resumesAfterADroppedConnection()
    {
        server_->setFaults("model.safetensors", {300'000});
        const auto dropped = downloadError([&] { fetch("model.safetensors"); });
        QVERIFY(dropped);
        QCOMPARE(dropped->kind(), DownloadError::Kind::Interrupted);
        QVERIFY2(QString(dropped->what()).contains("run the download again to resume"), dropped->what());
        QVERIFY(!QFile::exists(path("model.safetensors")));
        const QByteArray partial = fileBytes(path("model.safetensors.part"));
        QVERIFY(partial.size() > 0 && partial.size() <= 300'000);
        QCOMPARE(partial, weights_.left(partial.size()));

        const DownloadOutcome outcome = fetch("model.safetensors");
        QCOMPARE(outcome.resumedFrom, int64_t(partial.size()));
        QCOMPARE(rangesAskedFor(*server_).last(), "bytes=" + QByteArray::number(partial.size()) + "-");
        QCOMPARE(fileBytes(path("model.safetensors")), weights_);
        QVERIFY(!QFile::exists(path("model.safetensors.part")));
    }

    void startsOverWhenTheServerIgnoresRange()
    {
        writeFileAtomic(path("model.safetensors.part").toStdString(), std::string(1000, 'x'));
        FileFaults faults;
        faults.ignoreRange = true;
        server_->setFaults("model.safetensors", faults);
        const DownloadOutcome outcome = fetch("model.safetensors");
        QCOMPARE(rangesAskedFor(*server_), QList<QByteArray>{"bytes=1000-"});
        QCOMPARE(outcome.resumedFrom, int64_t(0));
        QCOMPARE(fileBytes(path("model.safetensors")), weights_);
    }

    void finishesAPartFileThatIsAlreadyWhole()
    {
        writeFileAtomic(path("model.safetensors.part").toStdString(), weights_.toStdString());
        const DownloadOutcome outcome = fetch("model.safetensors"); // the CDN answers 416
        QCOMPARE(rangesAskedFor(*server_), QList<QByteArray>{"bytes=" + QByteArray::number(weights_.size()) + "-"});
        QCOMPARE(outcome.resumedFrom, int64_t(weights_.size()));
        QCOMPARE(fileBytes(path("model.safetensors")), weights_);
    }

    void startsOverWhenThePartFileIsLongerThanTheFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("LFS file (size announced)") << "model.safetensors";
        QTest::newRow("git file (size from the 416)") << "config.json";
    }

    void startsOverWhenThePartFileIsLongerThanTheFile()
    {
        QFETCH(QString, file);
        writeFileAtomic(path(file + ".part").toStdString(), std::string(weights_.size() + 10, 'x'));
        const DownloadOutcome outcome = fetch(file);
        QCOMPARE(rangesAskedFor(*server_, file),
                 QList<QByteArray>({"bytes=" + QByteArray::number(weights_.size() + 10) + "-", QByteArray()}));
        QCOMPARE(outcome.resumedFrom, int64_t(0));
        QCOMPARE(fileBytes(path(file)), file == "config.json" ? config_ : weights_);
    }

    void takesNoChecksumFromTheCdn()
    {
        FileFaults bare;
        bare.announceNothing = true;
        server_->setFaults("model.safetensors", bare);
        const DownloadOutcome outcome = fetch("model.safetensors");
        QCOMPARE(outcome.checksum.kind, AnnouncedChecksum::Kind::None);
        QCOMPARE(fileBytes(path("model.safetensors")), weights_);
    }

    void refusesBytesThatDoNotMatchTheAnnouncement_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("lieAboutSha256");
        QTest::addColumn<QString>("checksumName");
        QTest::newRow("LFS file, another sha256 announced") << "model.safetensors" << true << "sha256";
        QTest::newRow("LFS file, bytes changed") << "model.safetensors" << false << "sha256";
        QTest::newRow("git file, bytes changed") << "config.json" << false << "git blob sha1";
    }

    void refusesBytesThatDoNotMatchTheAnnouncement()
    {
        QFETCH(QString, file);
        QFETCH(bool, lieAboutSha256);
        QFETCH(QString, checksumName);
        if (lieAboutSha256) {
            server_->announceSha256(file, QCryptographicHash::hash("other", QCryptographicHash::Sha256).toHex());
        } else {
            FileFaults faults;
            faults.corruptBody = true;
            server_->setFaults(file, faults);
        }
        const auto refused = downloadError([&] { fetch(file); });
        QVERIFY(refused);
        QCOMPARE(refused->kind(), DownloadError::Kind::ChecksumMismatch);
        QVERIFY2(QString(refused->what()).contains("does not match the " + checksumName), refused->what());
        QVERIFY2(QString(refused->what()).contains("deleted"), refused->what());
        QVERIFY(!QFile::exists(path(file)));
        QVERIFY(!QFile::exists(path(file + ".part")));
    }

    void namesTheAddressOfAMissingFile()
    {
        const auto missing = downloadError([&] { fetch("pytorch_model.bin"); });
        QVERIFY(missing);
        QCOMPARE(missing->kind(), DownloadError::Kind::HttpStatus);
        QCOMPARE(missing->httpStatus(), 404);
        const QString message = missing->what();
        QVERIFY2(message.contains(url("pytorch_model.bin")), missing->what());
        QVERIFY2(message.contains("404") && message.contains("--endpoint"), missing->what());
        QVERIFY(!QFile::exists(path("pytorch_model.bin")));
    }

    void stopsWaitingForAServerThatStalls()
    {
        FileFaults faults;
        faults.stallAfter = 100'000;
        server_->setFaults("model.safetensors", faults);
        QElapsedTimer clock;
        clock.start();
        const auto stalled = downloadError([&] { fetch("model.safetensors"); });
        QVERIFY(stalled);
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(stalled->kind(), DownloadError::Kind::Timeout);
        const QString message = stalled->what();
        QVERIFY2(message.contains("stopped sending for 1 s") && message.contains(url("model.safetensors")),
                 stalled->what());
        QCOMPARE(fileBytes(path("model.safetensors.part")), weights_.left(100'000));
    }

    void stopsWaitingForAServerThatNeverAnswers()
    {
        FileFaults faults;
        faults.silent = true;
        server_->setFaults("config.json", faults);
        const auto silent = downloadError([&] { fetch("config.json"); });
        QVERIFY(silent);
        QCOMPARE(silent->kind(), DownloadError::Kind::Timeout);
        QVERIFY2(QString(silent->what()).contains("no answer from " + url("config.json") + " within 2 s"),
                 silent->what());
    }

    void saysWhenNoServerIsReachable()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const std::string endpoint = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()).toStdString();
        closed.close();
        const auto offline = downloadError([&] {
            downloadFile(hubFileUrl(endpoint, "openai-community/gpt2", "config.json"),
                         path("config.json").toStdString(), kQuick, {}, nullptr);
        });
        QVERIFY(offline);
        QCOMPARE(offline->kind(), DownloadError::Kind::Unreachable);
        QVERIFY2(QString(offline->what()).contains(QString::fromStdString("cannot reach " + endpoint)), offline->what());
    }

    void refusesARedirectLoop()
    {
        server_->addRedirect("/loop/a", "/loop/b");
        server_->addRedirect("/loop/b", server_->endpoint().toUtf8() + "/loop/a");
        const auto loop = downloadError([&] {
            downloadFile((server_->endpoint() + "/loop/a").toStdString(), path("a").toStdString(), kQuick, {}, nullptr);
        });
        QVERIFY(loop);
        QCOMPARE(loop->kind(), DownloadError::Kind::BadRedirect);
        QVERIFY2(QString(loop->what()).contains("redirect loop"), loop->what());
        QCOMPARE(server_->requests().size(), 2);
    }

    void resumesACancelledDownload()
    {
        FileFaults slow;
        slow.bytesPerSecond = 2'000'000;
        server_->setFaults("model.safetensors", slow);
        JobControl job;
        const auto cancelOnceFlowing = [&](const DownloadProgress& p) {
            if (p.bytes >= 100'000)
                job.requestCancel();
        };
        QVERIFY_THROWS_EXCEPTION(Cancelled, fetch("model.safetensors", cancelOnceFlowing, &job));
        const int64_t kept = fileBytes(path("model.safetensors.part")).size();
        QVERIFY(kept >= 100'000 && kept < weights_.size());
        QVERIFY(!QFile::exists(path("model.safetensors")));

        server_->setFaults("model.safetensors", {});
        const DownloadOutcome outcome = fetch("model.safetensors");
        QCOMPARE(outcome.resumedFrom, kept);
        QCOMPARE(rangesAskedFor(*server_).last(), "bytes=" + QByteArray::number(kept) + "-");
        QCOMPARE(fileBytes(path("model.safetensors")), weights_);
    }

    void writesOnlyItsOwnFileNames()
    {
        // Every answer of the server names "../../escaped.bin" in Content-Disposition.
        const ModelCache cache(path("cache").toStdString());
        downloadModel(*findCatalogModel("gpt2-small"), cache, server_->endpoint().toStdString(), kQuick, {}, nullptr);
        QStringList written;
        QDirIterator it(dir_->path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext())
            written << QDir(dir_->path()).relativeFilePath(it.next());
        written.sort();
        QCOMPARE(written, QStringList({"cache/gpt2-small/config.json", "cache/gpt2-small/merges.txt",
                                       "cache/gpt2-small/model.safetensors", "cache/gpt2-small/vocab.json"}));
        QVERIFY(!QFile::exists("escaped.bin") && !QFile::exists("../escaped.bin"));
    }

    // The server names no local file: the cache's names are the catalog's. A redirect is
    // only ever an address to fetch, so one aimed at a local path or out of the hub's tree
    // fails that file with a clear error and writes nothing outside the cache.
    void hostileRedirectsWriteNothingOutsideTheCache()
    {
        const QByteArray config = "/" + kRepo.toUtf8() + "/resolve/main/config.json";
        const std::vector<std::pair<QByteArray, QString>> hostile = {
            {"file:///etc/passwd", "not an http(s) address"},
            {"/" + kRepo.toUtf8() + "/resolve/main/../../../../../" + path("escaped").toUtf8(), "404"},
            {"..%2F..%2F..%2Fescaped", "404"},
            {"/\\..\\..\\escaped", ""}, // an error of either kind
        };
        const ModelCache cache(path("cache").toStdString());
        for (const auto& [location, expected] : hostile) {
            server_->addRedirect(config, location);
            const auto error = downloadError([&] {
                downloadModel(*findCatalogModel("gpt2-small"), cache, server_->endpoint().toStdString(), kQuick, {}, nullptr);
            });
            QVERIFY2(error, location.constData());
            QVERIFY2(QString(error->what()).contains(expected), error->what());
        }
        QDirIterator it(dir_->path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString written = QDir(dir_->path()).relativeFilePath(it.next());
            QVERIFY2(written.startsWith("cache/"), qPrintable(written));
        }
        QVERIFY(!QFile::exists(path("escaped")) && !QFile::exists("escaped") && !QFile::exists("/etc/escaped"));
    }

    void skipsFilesAlreadyInTheCache()
    {
        const ModelCache cache(path("cache").toStdString());
        const CatalogModel& model = *findCatalogModel("gpt2-small");
        downloadModel(model, cache, server_->endpoint().toStdString(), kQuick, {}, nullptr);
        const int requests = server_->requests().size();
        const ModelDownload again = downloadModel(model, cache, server_->endpoint().toStdString(), kQuick, {}, nullptr);
        QVERIFY(again.fetched.empty());
        QCOMPARE(server_->requests().size(), requests);
    }
};

QTEST_GUILESS_MAIN(TestDownloader)
#include "test_downloader.moc"
