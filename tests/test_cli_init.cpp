// sft-studio init and logits, end to end through the binary: a random tiny model folder, its
// logits as JSON equal to the model's own, and clear failures for bad arguments.

#include "core/io/model_folder.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

using sft::test::runStudio;

namespace {

QString tokenizerDir() { return QString::fromStdString(sft::test::sharedPath("data/gpt2-tokenizer")); }

} // namespace

class TestCliInit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void initThenLogits();
    void withoutTokenizerGetsTheBundledOne();
    void badConfigFails();
    void badIdsFail();
    void existingModelIsNotOverwritten();

private:
    QTemporaryDir dir_;
    QString model_;
};

void TestCliInit::initTestCase()
{
    if (!sft::test::sharedAvailable())
        QSKIP("shared reference data not found");
    model_ = dir_.filePath("tiny");
    const auto r = runStudio({"init", "--config", "tiny", "--seed", "3", "--tokenizer", tokenizerDir(), "--out", model_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    for (const char* file : {"config.json", "model.safetensors", "vocab.json", "merges.txt"})
        QVERIFY2(QFile::exists(model_ + "/" + file), file);
}

void TestCliInit::initThenLogits()
{
    // "Hello, world!" in GPT-2 tokens.
    auto r = runStudio({"logits", "--model", model_, "--ids", "15496 11 995 0"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto all = nlohmann::json::parse(r.out.toStdString());
    QVERIFY(all.is_array());
    QCOMPARE(all.size(), size_t(4));
    for (const auto& row : all)
        QCOMPARE(row.size(), size_t(50257));

    auto loaded = sft::loadModelFolder(model_.toStdString());
    torch::NoGradGuard noGrad;
    const auto expected = loaded.model->forward(torch::tensor({15496, 11, 995, 0}, torch::kLong).unsqueeze(0))[0];
    for (int t = 0; t < 4; ++t)
        for (int v : {0, 1, 995, 50256})
            QCOMPARE(all[t][v].get<float>(), expected[t][v].item<float>());

    r = runStudio({"logits", "--model", model_, "--ids", "15496 11 995 0", "--last"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const auto last = nlohmann::json::parse(r.out.toStdString());
    QCOMPARE(last.size(), size_t(1));
    QCOMPARE(last[0], all[3]);
}

// With no tokenizer given and none on the machine, the model still carries GPT-2's (the bundled
// copy): the same files, token for token, as OpenAI's.
void TestCliInit::withoutTokenizerGetsTheBundledOne()
{
    qunsetenv("SFT_TOKENIZER_DIR");
    QTemporaryDir emptyCache;
    qputenv("SFT_CACHE_DIR", emptyCache.path().toUtf8());
    const QString bare = dir_.filePath("bare");
    const auto r = runStudio({"init", "--config", "tiny", "--out", bare});
    qunsetenv("SFT_CACHE_DIR");
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(QFile::exists(bare + "/model.safetensors"));
    const auto bundled = sft::Tokenizer::fromDirectory(bare.toStdString());
    const auto openai = sft::Tokenizer::fromDirectory(tokenizerDir().toStdString());
    QCOMPARE(bundled.vocabSize(), 50257);
    for (int id : {0, 256, 15496, 50255, 50256})
        QCOMPARE(bundled.tokenBytes(id), openai.tokenBytes(id));
    const std::string text = sft::readFile(sft::test::sharedPath("data/instruction-data.json"));
    QVERIFY(bundled.encode(text) == openai.encode(text));
}

void TestCliInit::badConfigFails()
{
    auto r = runStudio({"init", "--config", "gpt2-huge", "--out", dir_.filePath("huge")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("gpt2-huge") && r.err.contains("gpt2-medium"), qPrintable(r.err));
    QVERIFY(!QDir(dir_.filePath("huge")).exists());

    const QString absurd = dir_.filePath("absurd.json");
    sft::writeFileAtomic(absurd.toStdString(),
                         R"({"n_embd": 16384, "n_layer": 200, "n_head": 128, "n_positions": 1024, "vocab_size": 50257})");
    r = runStudio({"init", "--config", absurd, "--out", dir_.filePath("absurd")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("absurd.json") && r.err.contains("billion parameters"), qPrintable(r.err));
}

void TestCliInit::badIdsFail()
{
    auto r = runStudio({"logits", "--model", model_, "--ids", "1 50257"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("50257") && r.err.contains("vocabulary"), qPrintable(r.err));

    QStringList tooMany;
    for (int i = 0; i < 257; ++i)
        tooMany << "5";
    r = runStudio({"logits", "--model", model_, "--ids", tooMany.join(' ')});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("context of 256"), qPrintable(r.err));
}

void TestCliInit::existingModelIsNotOverwritten()
{
    const QByteArray before = QByteArray::fromStdString(sft::readFile((model_ + "/model.safetensors").toStdString()));
    const auto r = runStudio({"init", "--config", "tiny", "--seed", "9", "--out", model_});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("already holds a model"), qPrintable(r.err));
    QCOMPARE(QByteArray::fromStdString(sft::readFile((model_ + "/model.safetensors").toStdString())), before);
}

QTEST_GUILESS_MAIN(TestCliInit)
#include "test_cli_init.moc"
