// `sft-studio tokenize` end to end: the chapter dataset against js-tiktoken's IDs, entries with
// an empty output or instruction (tokenized as the chapter would, and trained on with a
// warning), a single text, the tokenizer from the environment, and a missing tokenizer.

#include "core/tokenizer/tokenizer.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

namespace {

QString tokenizerDir() { return QString::fromStdString(sft::test::sharedPath("data/gpt2-tokenizer")); }
QString datasetPath() { return QString::fromStdString(sft::test::sharedPath("data/instruction-data.json")); }

QString idLine(const std::vector<int>& ids)
{
    QStringList words;
    for (const int id : ids)
        words << QString::number(id);
    return words.join(' ');
}

std::vector<int> parseIds(const QString& line)
{
    std::vector<int> ids;
    for (const QString& word : line.split(' ', Qt::SkipEmptyParts))
        ids.push_back(word.toInt());
    return ids;
}

// Environment for the child process only; restored when the test ends.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const QByteArray& value) : name_(name), old_(qgetenv(name)), had_(qEnvironmentVariableIsSet(name))
    {
        if (value.isNull())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    ~ScopedEnv()
    {
        if (had_)
            qputenv(name_, old_);
        else
            qunsetenv(name_);
    }

private:
    const char* name_;
    QByteArray old_;
    bool had_;
};

} // namespace

class TestCliTokenize : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!sft::test::sharedAvailable())
            QSKIP("shared reference data not found");
    }

    void chapterDatasetMatchesTiktoken()
    {
        const auto oracle = nlohmann::json::parse(
            sft::readFile(sft::test::sharedPath("data/tokenizer-oracle/instruction-data.alpaca-tokens.json")));
        const auto r = sft::test::runStudio({"tokenize", "--tokenizer", tokenizerDir(), "--data", datasetPath()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), qsizetype(oracle.size()));
        for (size_t i = 0; i < oracle.size(); ++i)
            QVERIFY2(lines[qsizetype(i)] == idLine(oracle[i].at("ids").get<std::vector<int>>()),
                     qPrintable(QString("entry %1 differs").arg(i)));
    }

    // tests/data/empty-fields.json: empty outputs, an empty instruction, an output of spaces. The
    // expected IDs were made by js-tiktoken (tests/data/tiktoken_ids.mjs).
    void entriesWithEmptyFieldsAreTheChaptersToo()
    {
        const QString data = SFT_SOURCE_DIR "/tests/data/empty-fields.json";
        const nlohmann::json expected =
            nlohmann::json::parse(sft::readFile(SFT_SOURCE_DIR "/tests/data/empty-fields.tiktoken.json"));
        const auto r = sft::test::runStudio({"tokenize", "--tokenizer", tokenizerDir(), "--data", data});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(size_t(lines.size()), expected.size());
        for (int i = 0; i < lines.size(); ++i)
            QVERIFY2(parseIds(lines[i]) == expected[size_t(i)].get<std::vector<int>>(), qPrintable(QString::number(i)));

        QTemporaryDir dir;
        auto made = sft::test::runStudio(
            {"init", "--config", "tiny", "--tokenizer", tokenizerDir(), "--out", dir.filePath("model")});
        QVERIFY2(made.exitCode == 0, qPrintable(made.err));
        const QStringList train = {"train", "--model", dir.filePath("model"), "--data", data, "--max-steps", "1",
                                   "--eval-iter", "1", "--batch-size", "2", "--sample-tokens", "0"};
        const auto trained = sft::test::runStudio(train + QStringList{"--out", dir.filePath("run")});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        for (const char* warning : {"warning: entry 1: field 'output' is empty", "warning: entry 2: field 'output' is empty",
                                    "warning: entry 3: field 'instruction' is empty", "warning: entry 4: field 'output' is empty"})
            QVERIFY2(trained.err.contains(warning), qPrintable(trained.err));
        QVERIFY(!trained.err.contains("warning: entry 0"));
    }

    void phi3TemplateStartsWithTheUserTag()
    {
        const auto r = sft::test::runStudio(
            {"tokenize", "--tokenizer", tokenizerDir(), "--data", datasetPath(), "--template", "phi3"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), qsizetype(1100));
        const auto tokenizer = sft::Tokenizer::fromDirectory(tokenizerDir().toStdString());
        const std::string first = tokenizer.decode(parseIds(lines.front()));
        QVERIFY2(first.rfind("<|user|>\n", 0) == 0, first.c_str());
    }

    void singleTextWithTokenizerFromEnvironment()
    {
        const ScopedEnv env("SFT_TOKENIZER_DIR", tokenizerDir().toUtf8());
        auto r = sft::test::runStudio({"tokenize", "Hello, world!"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.out, QString("15496 11 995 0\n"));
        r = sft::test::runStudio({"tokenize", "--allow-special", "a<|endoftext|>b"});
        QCOMPARE(r.out, QString("64 50256 65\n"));
    }

    void tokenizerOfADownloadedModelByDefault()
    {
        QTemporaryDir cache;
        QVERIFY(QDir().mkpath(cache.filePath("gpt2-medium")));
        QVERIFY(QFile::copy(tokenizerDir() + "/encoder.json", cache.filePath("gpt2-medium/vocab.json")));
        QVERIFY(QFile::copy(tokenizerDir() + "/vocab.bpe", cache.filePath("gpt2-medium/merges.txt")));
        const ScopedEnv noTokenizer("SFT_TOKENIZER_DIR", QByteArray());
        const ScopedEnv env("SFT_CACHE_DIR", cache.path().toUtf8());
        const auto r = sft::test::runStudio({"tokenize", "Hello, world!"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out, QString("15496 11 995 0\n"));
    }

    void tokenizerOfTheModelFolder()
    {
        QTemporaryDir model;
        QVERIFY(QFile::copy(tokenizerDir() + "/encoder.json", model.filePath("vocab.json")));
        QVERIFY(QFile::copy(tokenizerDir() + "/vocab.bpe", model.filePath("merges.txt")));
        const auto r = sft::test::runStudio({"tokenize", "--model", model.path(), "Hello, world!"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out, QString("15496 11 995 0\n"));
    }

    // A new user's first hour: an empty home, nothing downloaded, no network (the hub and the
    // book's address are closed ports). Tokenizing, a random model with tokenizer files and the
    // chapter's dataset all work, from what SFT Studio bundles.
    void worksOfflineWithNothingDownloaded()
    {
        QTemporaryDir home;
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QByteArray nowhere = QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()).toUtf8();
        closed.close();
        const ScopedEnv homeEnv("HOME", home.path().toUtf8());
        const ScopedEnv noXdg("XDG_CACHE_HOME", QByteArray());
        const ScopedEnv noTokenizer("SFT_TOKENIZER_DIR", QByteArray());
        const ScopedEnv noCache("SFT_CACHE_DIR", QByteArray());
        const ScopedEnv hub("SFT_HF_ENDPOINT", nowhere);
        const ScopedEnv book("SFT_CHAPTER_DATASET_URL", nowhere + "/instruction-data.json");

        auto r = sft::test::runStudio({"tokenize", "Hello"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out, QString("15496\n"));

        r = sft::test::runStudio({"init", "--config", "tiny", "--out", home.filePath("M")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFile::exists(home.filePath("M/vocab.json")) && QFile::exists(home.filePath("M/merges.txt")));

        r = sft::test::runStudio({"dataset", "--fetch-chapter"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("bundled with SFT Studio"), qPrintable(r.err));
        QVERIFY2(r.out.contains("entries: 1100 valid"), qPrintable(r.out));
        QCOMPARE(sft::sha256OfFile(home.filePath(".cache/sft-studio/datasets/instruction-data.json").toStdString()),
                 std::string("7e09a9af353722ca15c18bc580f093f9c39d3178335a75177319cb1e1d163944"));
    }

    void missingTokenizerFolderIsAClearError()
    {
        const auto r = sft::test::runStudio({"tokenize", "--tokenizer", "/no/such/folder", "Hello"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("/no/such/folder") && r.err.contains("encoder.json"), qPrintable(r.err));
    }

    void textAndDataTogetherIsAUsageError()
    {
        const auto r = sft::test::runStudio({"tokenize", "--tokenizer", tokenizerDir(), "--data", datasetPath(), "Hi"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--data"), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliTokenize)
#include "test_cli_tokenize.moc"
