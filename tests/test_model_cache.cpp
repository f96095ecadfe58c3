// The model catalog and cache: which names exist, where their folders are, and what a --model
// value resolves to.

#include "core/hub/model_cache.h"
#include "core/hub/model_catalog.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace sft;

namespace {

void writeModelFiles(const QString& folder, const QStringList& files)
{
    makeDirectories(folder.toStdString());
    for (const QString& file : files)
        writeFileAtomic((folder + "/" + file).toStdString(), "x");
}

QString errorOf(const std::function<void()>& attempt)
{
    try {
        attempt();
    } catch (const IoError& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestModelCache : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void namesTheHubRepositoriesOfGpt2()
    {
        const std::vector<std::pair<std::string, std::string>> expected = {
            {"gpt2-small", "openai-community/gpt2"},
            {"gpt2-medium", "openai-community/gpt2-medium"},
            {"gpt2-large", "openai-community/gpt2-large"},
            {"gpt2-xl", "openai-community/gpt2-xl"},
        };
        QCOMPARE(modelCatalog().size(), expected.size());
        int64_t previous = 0;
        for (size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(modelCatalog()[i].name, expected[i].first);
            QCOMPARE(findCatalogModel(expected[i].first)->repo, expected[i].second);
            QVERIFY(modelCatalog()[i].approxBytes > previous);
            previous = modelCatalog()[i].approxBytes;
        }
        QVERIFY(!findCatalogModel("gpt2"));
        QVERIFY(!findCatalogModel("../gpt2-small"));
        QCOMPARE(modelFileNames(),
                 std::vector<std::string>({"config.json", "vocab.json", "merges.txt", "model.safetensors"}));
    }

    void findsTheCacheFromOptionEnvironmentOrXdg()
    {
        QTemporaryDir dir;
        const QByteArray savedXdg = qgetenv("XDG_CACHE_HOME");
        const QByteArray savedCache = qgetenv("SFT_CACHE_DIR");
        qputenv("XDG_CACHE_HOME", dir.filePath("xdg").toUtf8());
        qunsetenv("SFT_CACHE_DIR");
        QCOMPARE(QString::fromStdString(ModelCache().root()), dir.filePath("xdg/sft-studio/models"));
        qputenv("SFT_CACHE_DIR", dir.filePath("env").toUtf8());
        QCOMPARE(QString::fromStdString(ModelCache().root()), dir.filePath("env"));
        const ModelCache given(dir.filePath("given/").toStdString());
        QCOMPARE(QString::fromStdString(given.root()), dir.filePath("given"));
        QCOMPARE(QString::fromStdString(given.folder(*findCatalogModel("gpt2-xl"))), dir.filePath("given/gpt2-xl"));
        qputenv("XDG_CACHE_HOME", savedXdg);
        qputenv("SFT_CACHE_DIR", savedCache);
    }

    void resolvesADownloadedName()
    {
        QTemporaryDir dir;
        writeModelFiles(dir.filePath("gpt2-medium"), {"config.json", "vocab.json", "merges.txt", "model.safetensors"});
        QCOMPARE(QString::fromStdString(resolveModel("gpt2-medium", dir.path().toStdString())),
                 dir.filePath("gpt2-medium"));
    }

    void saysWhichDownloadToRunForAMissingModel()
    {
        QTemporaryDir dir;
        writeModelFiles(dir.filePath("gpt2-medium"),
                        {"config.json", "vocab.json", "merges.txt", "model.safetensors.part"});
        const ModelCache cache(dir.path().toStdString());
        QVERIFY(!cache.isComplete(*findCatalogModel("gpt2-medium")));
        const QString message = errorOf([&] { resolveModel("gpt2-medium", dir.path().toStdString()); });
        QVERIFY2(message.contains("run `sft-studio download gpt2-medium`"), qPrintable(message));
        QVERIFY2(message.contains("lacks model.safetensors"), qPrintable(message));
    }

    void prefersALocalFolderOverAName()
    {
        QTemporaryDir dir;
        const QString saved = QDir::currentPath();
        QDir::setCurrent(dir.path());
        QDir().mkdir("gpt2-small");
        const std::string resolved = resolveModel("gpt2-small", dir.filePath("empty-cache").toStdString());
        QDir::setCurrent(saved);
        QCOMPARE(resolved, std::string("gpt2-small"));
        QCOMPARE(QString::fromStdString(resolveModel(dir.path().toStdString())), dir.path());
    }

    void listsTheNamesForAnUnknownModel()
    {
        const QString message = errorOf([] { resolveModel("gpt3-enormous", "/nonexistent"); });
        QVERIFY2(message.contains("gpt2-small, gpt2-medium, gpt2-large, gpt2-xl"), qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestModelCache)
#include "test_model_cache.moc"
