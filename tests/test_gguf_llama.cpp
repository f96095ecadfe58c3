// The GGUF export run by a real engine: llama.cpp, through the npm package node-llama-cpp
// (installed into the user's cache on first run), loads the export of a small random GPT-2
// made by `sft-studio init`, tokenizes prompts and continues them greedily; its token IDs must
// equal `sft-studio tokenize`, and its continuation must be the one `sft-studio generate` and
// SFT Studio's generator give, token for token. Skipped only when npm cannot reach its registry.

#include "core/generate/generator.h"
#include "core/io/model_folder.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using sft::test::runStudio;

namespace {

const char* const kPackageVersion = "3.21.1";
const int kNewTokens = 40;
const int kContext = 128;

QString installDir()
{
    const QString cache = qEnvironmentVariable("XDG_CACHE_HOME", QDir::homePath() + "/.cache");
    return cache + "/sft-studio/node-llama-cpp";
}

struct Outcome {
    bool finished = false;
    int exitCode = -1;
    QString out, err;
};

Outcome runProgram(const QString& program, const QStringList& args, int timeoutMs)
{
    QProcess process;
    process.start(program, args);
    Outcome o;
    o.finished = process.waitForFinished(timeoutMs);
    if (!o.finished)
        process.kill();
    process.waitForFinished();
    o.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    o.out = QString::fromUtf8(process.readAllStandardOutput());
    o.err = QString::fromUtf8(process.readAllStandardError());
    return o;
}

bool packageInstalled()
{
    const QString manifest = installDir() + "/node_modules/node-llama-cpp/package.json";
    if (!QFile::exists(manifest))
        return false;
    return nlohmann::json::parse(sft::readFile(manifest.toStdString())).value("version", "") == kPackageVersion;
}

// A GPT-2 that llama.cpp's gpt2 architecture takes: the full vocabulary, 4 heads of 16.
QString writeConfig(const QTemporaryDir& dir)
{
    const nlohmann::json config = {{"model_type", "gpt2"}, {"vocab_size", 50257}, {"n_positions", kContext},
                                   {"n_embd", 64},         {"n_layer", 2},        {"n_head", 4}};
    const QString path = dir.filePath("config-64x2.json");
    sft::writeFileAtomic(path.toStdString(), config.dump());
    return path;
}

std::vector<int64_t> idsOf(const nlohmann::json& array) { return array.get<std::vector<int64_t>>(); }

std::vector<int64_t> parseIdLine(const QString& line)
{
    std::vector<int64_t> ids;
    for (const QString& word : line.split(' ', Qt::SkipEmptyParts))
        ids.push_back(word.toLongLong());
    return ids;
}

} // namespace

class TestGgufLlama : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void llamaCppTokenizesAndContinuesAsSftStudio();
    void f16ExportRunsInLlamaCpp();

private:
    // llama.cpp's prompt tokens and greedy continuation of each prompt.
    void runLlama(const QString& gguf, const QStringList& prompts, nlohmann::json& results);

    QTemporaryDir dir_;
    QString model_;
    QString node_;
};

void TestGgufLlama::runLlama(const QString& gguf, const QStringList& prompts, nlohmann::json& results)
{
    nlohmann::json promptsJson = nlohmann::json::array();
    for (const QString& p : prompts)
        promptsJson.push_back(p.toStdString());
    const Outcome llama = runProgram(node_, {SFT_LLAMA_SCRIPT, installDir(), gguf, QString::fromStdString(promptsJson.dump()),
                                             QString::number(kNewTokens), QString::number(kContext)}, 300000);
    QVERIFY2(llama.finished && llama.exitCode == 0, qPrintable("node-llama-cpp failed: " + llama.err));
    results = nlohmann::json::parse(llama.out.toStdString());
    QCOMPARE(results.size(), size_t(prompts.size()));
}

void TestGgufLlama::initTestCase()
{
    if (!sft::test::sharedAvailable())
        QSKIP("shared reference data not found");
    const QString npm = QStandardPaths::findExecutable("npm");
    node_ = QStandardPaths::findExecutable("node");
    if (npm.isEmpty() || node_.isEmpty())
        QSKIP("npm and node are not installed, so node-llama-cpp cannot be installed");
    if (!packageInstalled()) {
        QDir().mkpath(installDir());
        const Outcome install = runProgram(npm, {"install", "--no-audit", "--no-fund", "--prefix", installDir(),
                                                 QString("node-llama-cpp@") + kPackageVersion}, 540000);
        if (install.exitCode != 0) {
            const Outcome ping = runProgram(npm, {"ping"}, 60000);
            if (ping.exitCode != 0)
                QSKIP(qPrintable("the npm registry is unreachable (npm ping: " +
                                 ping.err.trimmed().split('\n').last() + "), so node-llama-cpp cannot be installed"));
            QFAIL(qPrintable("npm install node-llama-cpp failed: " + install.err));
        }
    }
    const QString tokenizer = QString::fromStdString(sft::test::sharedPath("data/gpt2-tokenizer"));
    model_ = dir_.filePath("model");
    auto r = runStudio({"init", "--config", writeConfig(dir_), "--seed", "7", "--tokenizer", tokenizer, "--out", model_});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    for (const char* type : {"f32", "f16"}) {
        r = runStudio({"export", "--model", model_, "--format", "gguf", "--type", type, "--out",
                       dir_.filePath(QString("model-%1.gguf").arg(type))});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }
}

void TestGgufLlama::llamaCppTokenizesAndContinuesAsSftStudio()
{
    const QStringList prompts = {
        "Below is an instruction that describes a task. Write a response that appropriately completes the "
        "request.\n\n### Instruction:\nConvert the active sentence to passive: 'The chef cooks the meal every day.'",
        "Every effort moves you",
        "Naïve café owners' résumés, 1,234 times:  ü → ß?",
    };
    nlohmann::json results;
    runLlama(dir_.filePath("model-f32.gguf"), prompts, results);
    if (QTest::currentTestFailed())
        return;

    sft::LoadedModel loaded = sft::loadModelFolder(model_.toStdString());
    const sft::Tokenizer tokenizer = sft::loadTokenizer(model_.toStdString());
    int promptTokens = 0, generatedTokens = 0;
    for (int i = 0; i < prompts.size(); ++i) {
        const std::vector<int64_t> llamaPrompt = idsOf(results[size_t(i)]["prompt"]);
        const std::vector<int64_t> llamaGenerated = idsOf(results[size_t(i)]["generated"]);

        const auto tokenized = runStudio({"tokenize", "--tokenizer", model_, prompts[i]});
        QVERIFY2(tokenized.exitCode == 0, qPrintable(tokenized.err));
        QCOMPARE(parseIdLine(tokenized.out.trimmed()), llamaPrompt);

        sft::GenerationOptions options;
        options.maxNewTokens = kNewTokens;
        QCOMPARE(sft::generateWithoutCache(loaded.model, llamaPrompt, options), llamaGenerated);

        const auto generated = runStudio({"generate", "--model", model_, "--prompt", prompts[i], "--max-new-tokens",
                                          QString::number(kNewTokens)});
        QVERIFY2(generated.exitCode == 0, qPrintable(generated.err));
        std::string expected;
        for (const int64_t id : llamaGenerated)
            expected += tokenizer.tokenBytes(int(id));
        expected += "\n";
        // Read back as the runner reads stdout, so a character split over tokens compares alike.
        QCOMPARE(generated.out, QString::fromUtf8(expected.data(), int(expected.size())));

        promptTokens += int(llamaPrompt.size());
        generatedTokens += int(llamaGenerated.size());
    }
    qInfo("llama.cpp and SFT Studio agree on %d prompt tokens and %d greedily generated tokens", promptTokens,
          generatedTokens);
    QVERIFY(generatedTokens >= kNewTokens);
}

// Half-precision weights change the logits a little, so only the loading and the tokenizer
// are compared; the continuation need only be there.
void TestGgufLlama::f16ExportRunsInLlamaCpp()
{
    const QString prompt = "Every effort moves you";
    nlohmann::json results;
    runLlama(dir_.filePath("model-f16.gguf"), {prompt}, results);
    if (QTest::currentTestFailed())
        return;
    const auto tokenized = runStudio({"tokenize", "--tokenizer", model_, prompt});
    QCOMPARE(idsOf(results[0]["prompt"]), parseIdLine(tokenized.out.trimmed()));
    QVERIFY(!results[0]["generated"].empty());
}

QTEST_GUILESS_MAIN(TestGgufLlama)
#include "test_gguf_llama.moc"
