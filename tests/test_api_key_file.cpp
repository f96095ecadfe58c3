// API keys kept where only the user can read them: a key file others can read is refused with
// the command that fixes it; the GUI's store is created owner-only (whatever the umask),
// remembers and forgets keys by server, and refuses to read a store others can read.

#include "core/judge/api_key_file.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace sft;

namespace {

void writeWithMode(const QString& path, const QByteArray& text, QFile::Permissions permissions)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(text);
    file.close();
    QVERIFY(file.setPermissions(permissions));
}

constexpr QFile::Permissions kOwnerOnly = QFile::ReadOwner | QFile::WriteOwner;

mode_t modeOf(const std::string& path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? info.st_mode & 0777 : 0;
}

} // namespace

class TestApiKeyFile : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string path(const char* name) const { return dir_.filePath(name).toStdString(); }

    static QString configErrorOf(const std::function<void()>& f)
    {
        try {
            f();
        } catch (const ConfigError& e) {
            return e.what();
        }
        return {};
    }

private Q_SLOTS:
    void privateKeyFileIsRead()
    {
        writeWithMode(dir_.filePath("key"), "  sk-test-123 \n", kOwnerOnly);
        QCOMPARE(readApiKeyFile(path("key")), std::string("sk-test-123"));
    }

    void keyFileOthersCanReadIsRefused()
    {
        for (QFile::Permissions extra : {QFile::Permissions(QFile::ReadGroup), QFile::Permissions(QFile::ReadOther),
                                         QFile::Permissions(QFile::WriteOther)}) {
            writeWithMode(dir_.filePath("shared-key"), "sk-test-123\n", kOwnerOnly | extra);
            const QString error = configErrorOf([&] { readApiKeyFile(path("shared-key")); });
            QVERIFY2(error.contains("can be read by other users") &&
                         error.contains("chmod 600 " + dir_.filePath("shared-key")),
                     qPrintable(error));
        }
    }

    void unusableKeyFilesAreNamed()
    {
        QVERIFY(configErrorOf([&] { readApiKeyFile(path("missing")); }).contains("does not exist"));
        writeWithMode(dir_.filePath("blank"), " \n\n", kOwnerOnly);
        QVERIFY(configErrorOf([&] { readApiKeyFile(path("blank")); }).contains("is empty"));
        writeWithMode(dir_.filePath("two"), "sk-one\nsk-two\n", kOwnerOnly);
        QVERIFY(configErrorOf([&] { readApiKeyFile(path("two")); }).contains("more than one line"));
    }

    // Created owner-only even under umask 0, in a folder that did not exist.
    void storeRemembersAndForgetsByServer()
    {
        const mode_t old = ::umask(0);
        ApiKeyStore store(path("config/sft-studio/judge-api-keys.json"));
        store.remember("http://a:8080", "key-a");
        store.remember("http://b:8080", "key-b");
        ::umask(old);
        QCOMPARE(modeOf(store.path()), mode_t(0600));
        QCOMPARE(store.keyFor("http://a:8080"), std::string("key-a"));
        QCOMPARE(ApiKeyStore(store.path()).keyFor("http://b:8080"), std::string("key-b"));
        QCOMPARE(store.keyFor("http://c:8080"), std::string());
        store.remember("http://a:8080", "");
        QCOMPARE(store.keyFor("http://a:8080"), std::string());
        QCOMPARE(store.keyFor("http://b:8080"), std::string("key-b"));
        QCOMPARE(QDir(dir_.filePath("config/sft-studio")).entryList(QDir::Files | QDir::Hidden),
                 QStringList({"judge-api-keys.json"}));
    }

    void storeOthersCanReadIsRefused()
    {
        ApiKeyStore store(path("open-store.json"));
        store.remember("http://a:8080", "key-a");
        QVERIFY(QFile::setPermissions(QString::fromStdString(store.path()), kOwnerOnly | QFile::ReadOther));
        QVERIFY(configErrorOf([&] { store.keyFor("http://a:8080"); }).contains("chmod 600"));
        QVERIFY(configErrorOf([&] { store.remember("http://b:8080", "key-b"); }).contains("chmod 600"));
    }

    void damagedStoreIsNamed()
    {
        writeWithMode(dir_.filePath("damaged.json"), "[1, 2", kOwnerOnly);
        QVERIFY(configErrorOf([&] { ApiKeyStore(path("damaged.json")).keyFor("http://a"); })
                    .contains("delete it to start afresh"));
    }
};

QTEST_GUILESS_MAIN(TestApiKeyFile)
#include "test_api_key_file.moc"
