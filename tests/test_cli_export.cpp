// sft-studio export through the binary: a model folder and its Hugging Face export give the
// same logits; a checkpoint of a run is exported with the run's base model, dataset, template
// and settings in its README and its template in the Ollama Modelfile; a folder without
// tokenizer files and wrong options fail with clear messages.

#include "core/io/model_folder.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

using sft::test::runStudio;

namespace {

QString tokenizerDir() { return QString::fromStdString(sft::test::sharedPath("data/gpt2-tokenizer")); }

torch::Tensor logitsOf(const QString& model)
{
    sft::LoadedModel loaded = sft::loadModelFolder(model.toStdString());
    torch::NoGradGuard noGrad;
    return loaded.model->forward(torch::tensor(std::vector<int64_t>{15496, 11, 995, 0}).unsqueeze(0));
}

QString fileText(const QString& path) { return QString::fromStdString(sft::readFile(path.toStdString())); }

} // namespace

class TestCliExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!sft::test::sharedAvailable())
            QSKIP("shared reference data not found");
        model_ = dir_.filePath("tiny");
        const auto r = runStudio({"init", "--config", "tiny", "--seed", "4", "--tokenizer", tokenizerDir(), "--out", model_});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void hfExportGivesTheSameLogits()
    {
        const QString out = dir_.filePath("tiny-hf");
        const auto r = runStudio({"export", "--model", model_, "--format", "hf", "--out", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed(), out);
        QVERIFY(torch::equal(logitsOf(out), logitsOf(model_)));
        const auto config = nlohmann::json::parse(sft::readFile((out + "/config.json").toStdString()));
        QCOMPARE(config.at("tie_word_embeddings"), nlohmann::json(false));
        for (const char* file : {"model.safetensors", "vocab.json", "merges.txt", "README.md"})
            QVERIFY2(QFile::exists(out + "/" + file), file);
        const QString readme = fileText(out + "/README.md");
        QVERIFY2(readme.contains("| Base model | unknown |") && readme.contains("| Dataset | unknown |"),
                 qPrintable(readme));
        QVERIFY2(readme.contains("| Prompt template | alpaca (assumed"), qPrintable(readme));
        // tiny: 50257 x 32 token and 256 x 32 position embeddings, 2 blocks of 12,704, ln_f, own head.
        QVERIFY2(readme.contains("GPT-2, 2 layers, width 32, 2 heads, context 256, vocabulary 50257; 3,250,112 "
                                 "parameters"),
                 qPrintable(readme));
        QVERIFY2(readme.contains("Unknown: the model was not exported from a checkpoint"), qPrintable(readme));
        QVERIFY2(readme.contains("### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n"),
                 qPrintable(readme));

        const auto again = runStudio({"export", "--model", model_, "--format", "hf", "--out", out});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("already holds a model"), qPrintable(again.err));
    }

    void runCheckpointIsExportedWithItsRun()
    {
        const QString data = dir_.filePath("data.json");
        const auto all = nlohmann::json::parse(sft::readFile(sft::test::sharedPath("data/instruction-data.json")));
        sft::writeFileAtomic(data.toStdString(), nlohmann::json(std::vector<nlohmann::json>(all.begin(), all.begin() + 24)).dump());
        const QString run = dir_.filePath("run");
        auto r = runStudio({"train", "--model", model_, "--data", data, "--out", run, "--max-steps", "1",
                            "--batch-size", "2", "--eval-iter", "1", "--template", "phi3", "--lr", "0.001"}, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString checkpoint = run + "/checkpoints/final";

        const QString hf = dir_.filePath("run-hf");
        r = runStudio({"export", "--model", checkpoint, "--format", "hf", "--out", hf});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString readme = fileText(hf + "/README.md");
        QVERIFY2(readme.contains("| Base model | " + model_ + " |"), qPrintable(readme));
        QVERIFY2(readme.contains("| Dataset | " + data + " (sha256 "), qPrintable(readme));
        QVERIFY2(readme.contains(", 24 entries) |"), qPrintable(readme));
        QVERIFY2(readme.contains("| Prompt template | phi3 |"), qPrintable(readme));
        QVERIFY2(readme.contains("fine-tuned to follow instructions"), qPrintable(readme));
        QVERIFY2(readme.contains("| learning_rate | 0.001 |") && readme.contains("| batch_size | 2 |") &&
                     readme.contains("| steps_done | 1 |"),
                 qPrintable(readme));
        QVERIFY2(readme.contains("<|user|>\n{instruction}\n{input}\n<|assistant|>:\n"), qPrintable(readme));
        QVERIFY(torch::equal(logitsOf(hf), logitsOf(checkpoint)));

        const QString gguf = dir_.filePath("ollama/tuned.gguf");
        r = runStudio({"export", "--model", checkpoint, "--format", "gguf", "--type", "f16", "--out", gguf});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString modelfile = dir_.filePath("ollama/Modelfile");
        QCOMPARE(r.out, gguf + "\n" + modelfile + "\n");
        QVERIFY2(r.err.contains("ollama create tuned -f " + modelfile), qPrintable(r.err));
        QVERIFY(QFileInfo(gguf).size() > 50257 * 32 * 2);
        QCOMPARE(fileText(modelfile), QString("FROM ./tuned.gguf\n"
                                              "TEMPLATE \"\"\"<|user|>\n{{ .Prompt }}\n<|assistant|>:\n\"\"\"\n"
                                              "PARAMETER stop \"<|endoftext|>\"\n"
                                              "PARAMETER num_ctx 256\n"));
    }

    void alpacaIsTheDefaultTemplate()
    {
        const QString gguf = dir_.filePath("plain.gguf");
        const auto r = runStudio({"export", "--model", model_, "--format", "gguf", "--out", gguf});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(fileText(dir_.filePath("Modelfile"))
                    .contains("TEMPLATE \"\"\"Below is an instruction that describes a task. Write a response that "
                              "appropriately completes the request.\n\n### Instruction:\n{{ .Prompt }}\n\n"
                              "### Response:\n\"\"\""));
    }

    void ggufNeedsTokenizerFiles()
    {
        QTemporaryDir bare;
        const QString model = bare.filePath("bare");
        auto r = runStudio({"init", "--config", "tiny", "--out", model});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // A folder from elsewhere (the book's weights alone): init itself always writes them.
        QVERIFY(QFile::remove(model + "/vocab.json") && QFile::remove(model + "/merges.txt"));
        const QString gguf = bare.filePath("bare.gguf");
        r = runStudio({"export", "--model", model, "--format", "gguf", "--out", gguf});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("sft-studio: error: no GPT-2 tokenizer files in " + model), qPrintable(r.err));
        QVERIFY(!QFile::exists(gguf));
        r = runStudio({"export", "--model", model, "--format", "gguf", "--tokenizer", tokenizerDir(), "--out", gguf});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void badOptionsAreUsageErrors()
    {
        auto r = runStudio({"export", "--model", model_, "--format", "onnx", "--out", dir_.filePath("x")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--format must be hf or gguf"), qPrintable(r.err));
        r = runStudio({"export", "--model", model_, "--format", "hf", "--type", "f16", "--out", dir_.filePath("x")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--type applies to --format gguf only"), qPrintable(r.err));
        r = runStudio({"export", "--model", model_, "--format", "gguf", "--type", "q4", "--out", dir_.filePath("x")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--type must be f32 or f16"), qPrintable(r.err));
    }

private:
    QTemporaryDir dir_;
    QString model_;
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "test_cli_export.moc"
