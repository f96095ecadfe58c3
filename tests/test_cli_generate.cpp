// sft-studio generate through the binary: on a random tiny model folder it prints the
// continuation the chapter's loop gives (and not the prompt), repeatably, and fails clearly.

#include "core/generate/generator.h"
#include "core/io/model_folder.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using sft::test::runStudio;

namespace {

const QString kPrompt = "Every effort moves you";

QString tokenizerDir() { return QString::fromStdString(sft::test::sharedPath("data/gpt2-tokenizer")); }

} // namespace

class TestCliGenerate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!sft::test::sharedAvailable())
            QSKIP("shared reference data not found");
        model_ = dir_.filePath("tiny");
        const auto r = runStudio({"init", "--config", "tiny", "--tokenizer", tokenizerDir(), "--out", model_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void greedyPrintsTheChapterContinuation()
    {
        const QStringList args = {"generate", "--model", model_, "--prompt", kPrompt, "--max-new-tokens", "20"};
        const auto first = runStudio(args);
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        QVERIFY(!first.out.trimmed().isEmpty());
        QCOMPARE(runStudio(args).out, first.out);

        sft::LoadedModel loaded = sft::loadModelFolder(model_.toStdString());
        const sft::Tokenizer tokenizer = sft::loadTokenizer(model_.toStdString());
        const std::vector<int> ids = tokenizer.encode(kPrompt.toStdString());
        sft::GenerationOptions options;
        options.maxNewTokens = 20;
        const std::vector<int64_t> expected =
            sft::generateWithoutCache(loaded.model, std::vector<int64_t>(ids.begin(), ids.end()), options);
        const std::string text = tokenizer.decode(std::vector<int>(expected.begin(), expected.end()));
        QCOMPARE(first.out, QString::fromUtf8(text.data(), int(text.size())) + "\n");
    }

    void topKOneSamplesLikeGreedy()
    {
        const QStringList args = {"generate", "--model", model_, "--prompt", kPrompt, "--max-new-tokens", "12"};
        const auto greedy = runStudio(args);
        const auto sampled = runStudio(args + QStringList{"--temperature", "1.5", "--top-k", "1", "--seed", "9"});
        QVERIFY2(sampled.exitCode == 0, qPrintable(sampled.err));
        QCOMPARE(sampled.out, greedy.out);
    }

    void missingModelFolderFails()
    {
        const auto r = runStudio({"generate", "--model", dir_.filePath("nothing-here"), "--prompt", kPrompt});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("sft-studio: error:") && r.err.contains("nothing-here"), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void badTemperatureIsAUsageError()
    {
        const auto r = runStudio({"generate", "--model", model_, "--prompt", kPrompt, "--temperature", "-1"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--temperature"), qPrintable(r.err));
    }

private:
    QTemporaryDir dir_;
    QString model_;
};

QTEST_GUILESS_MAIN(TestCliGenerate)
#include "test_cli_generate.moc"
