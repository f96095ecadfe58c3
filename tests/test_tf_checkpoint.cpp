// OpenAI's TensorFlow checkpoints without TensorFlow: CRC-32C against published check values,
// a checkpoint written here by the formats' rules read back exactly, OpenAI's GPT-2 folder
// loading into the same logits as the Hugging Face folder of the same weights, and every kind
// of damage refused with the file and the variable named.

#include "core/io/crc32c.h"
#include "core/io/leveldb_table.h"
#include "core/io/model_folder.h"
#include "core/io/safetensors.h"
#include "core/io/tf_checkpoint.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/tf_checkpoint_writer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

using sft::Gpt;
using sft::GptConfig;
using sft::test::TfCheckpointWriter;

namespace {

GptConfig tinyConfig()
{
    GptConfig c;
    c.vocabSize = 64;
    c.contextLength = 12;
    c.embDim = 8;
    c.nLayers = 2;
    c.nHeads = 2;
    return c;
}

Gpt randomModel(const GptConfig& config)
{
    Gpt model = sft::test::randomGpt(config, 11);
    torch::NoGradGuard noGrad;
    model->lm_head->weight.copy_(model->wte->weight); // OpenAI's GPT-2 computes logits with wte
    return model;
}

torch::Tensor sampleIds() { return torch::tensor(std::vector<int64_t>{3, 60, 17, 0, 42, 9}).unsqueeze(0); }

// OpenAI's variables for `model` (openai/gpt-2 src/model.py): conv1d weights [1, in, out].
void addOpenAiVariables(TfCheckpointWriter& writer, Gpt& model)
{
    const auto conv1d = [&](const std::string& name, sft::LoraLinear& l) {
        writer.add(name + "/w", l->weight.t().unsqueeze(0));
        writer.add(name + "/b", l->bias);
    };
    const auto norm = [&](const std::string& name, torch::nn::LayerNorm& n) {
        writer.add(name + "/g", n->weight);
        writer.add(name + "/b", n->bias);
    };
    writer.add("model/wte", model->wte->weight);
    writer.add("model/wpe", model->wpe->weight);
    for (size_t i = 0; i < model->h->size(); ++i) {
        auto& b = model->h->at<sft::BlockImpl>(i);
        const std::string h = "model/h" + std::to_string(i) + "/";
        norm(h + "ln_1", b.ln_1);
        conv1d(h + "attn/c_attn", b.attn->c_attn);
        conv1d(h + "attn/c_proj", b.attn->c_proj);
        norm(h + "ln_2", b.ln_2);
        conv1d(h + "mlp/c_fc", b.mlp->c_fc);
        conv1d(h + "mlp/c_proj", b.mlp->c_proj);
    }
    norm("model/ln_f", model->ln_f);
}

// The folder the chapter's gpt_download.py leaves, with hparams.json as OpenAI wrote it.
void writeOpenAiFolder(const QTemporaryDir& dir, TfCheckpointWriter& writer, const GptConfig& c)
{
    const nlohmann::json hparams = {{"n_vocab", c.vocabSize}, {"n_ctx", c.contextLength}, {"n_embd", c.embDim},
                                    {"n_head", c.nHeads},     {"n_layer", c.nLayers}};
    sft::writeFileAtomic(dir.filePath("hparams.json").toStdString(), hparams.dump());
    sft::writeFileAtomic(dir.filePath("checkpoint").toStdString(),
                         "model_checkpoint_path: \"model.ckpt\"\nall_model_checkpoint_paths: \"model.ckpt\"\n");
    writer.write(dir.filePath("model.ckpt").toStdString());
}

QString loadError(const std::string& path)
{
    try {
        sft::loadModelFolder(path);
    } catch (const sft::WeightsError& e) {
        return QString::fromStdString(e.what());
    }
    return "no error";
}

QString readError(const std::string& prefix)
{
    try {
        sft::readTfCheckpoint(prefix);
    } catch (const sft::WeightsError& e) {
        return QString::fromStdString(e.what());
    }
    return "no error";
}

void flipByte(const std::string& path, size_t at)
{
    std::string bytes = sft::readFile(path);
    bytes[at] = char(bytes[at] ^ 0x40);
    sft::writeFileAtomic(path, bytes);
}

} // namespace

class TestTfCheckpoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void crc32cGivesTheCheckValues();
    void readsBackWhatWasWritten();
    void readsAnIndexOfManyBlocksAndRestarts();
    void openAiFolderGivesTheLogitsOfTheHfFolder();
    void truncatedDataFileIsNamed();
    void entryPointingPastTheDataIsNamed();
    void blockHandlePastTheIndexIsRefused();
    void badVarintIsRefused();
    void damagedBlockFailsItsChecksum();
    void damagedTensorFailsItsChecksum();
    void wrongMagicIsRefused();
    void missingDataFileIsNamed();
    void missingVariableIsNamed();
};

void TestTfCheckpoint::crc32cGivesTheCheckValues()
{
    // The CRC-32C check value (RFC 3720 B.4 / the CRC catalogue) and iSCSI's 32 zero bytes.
    QCOMPARE(sft::crc32c("123456789"), 0xe3069283u);
    QCOMPARE(sft::crc32c(std::string(32, '\0')), 0x8a9136aau);
    QCOMPARE(sft::crc32c(std::string(32, '\xff')), 0x62a8ab43u);
    QCOMPARE(sft::crc32c("456789", sft::crc32c("123")), 0xe3069283u);
}

void TestTfCheckpoint::readsBackWhatWasWritten()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    const torch::Tensor matrix = torch::arange(12, torch::kFloat).reshape({3, 4});
    const torch::Tensor cube = torch::randn({1, 2, 5});
    writer.add("b/matrix", matrix);
    writer.add("a/cube", cube);
    writer.add("a/scalar", torch::scalar_tensor(2.5));
    writer.write(prefix);
    const sft::TensorMap read = sft::readTfCheckpoint(prefix);
    QCOMPARE(read.size(), size_t(3));
    QVERIFY(torch::equal(read.at("b/matrix"), matrix));
    QVERIFY(torch::equal(read.at("a/cube"), cube));
    QCOMPARE(read.at("a/scalar").dim(), 0);
    QCOMPARE(read.at("a/scalar").item<float>(), 2.5f);
}

void TestTfCheckpoint::readsAnIndexOfManyBlocksAndRestarts()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    std::vector<std::string> names;
    for (int i = 0; i < 40; ++i)
        names.push_back("model/h" + std::to_string(i) + "/attn/c_attn/w");
    for (size_t i = 0; i < names.size(); ++i)
        writer.add(names[i], torch::full({2}, float(i)));
    writer.write(prefix);
    const std::string index = sft::readFile(prefix + ".index");
    const std::vector<sft::TableEntry> entries = sft::readLevelDbTable(index, "index");
    QCOMPARE(entries.size(), names.size() + 1);
    QVERIFY(entries.front().key.empty());
    QVERIFY2(index.size() > 5 * writer.blockBytes, "the table should span several blocks");
    const sft::TensorMap read = sft::readTfCheckpoint(prefix);
    for (size_t i = 0; i < names.size(); ++i)
        QCOMPARE(read.at(names[i])[1].item<float>(), float(i));
}

void TestTfCheckpoint::openAiFolderGivesTheLogitsOfTheHfFolder()
{
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir openAi, hf;
    TfCheckpointWriter writer;
    addOpenAiVariables(writer, model);
    writeOpenAiFolder(openAi, writer, tinyConfig());
    sft::saveModelFolder(hf.path().toStdString(), model, nullptr);

    QVERIFY(sft::isModelFolder(openAi.path().toStdString()));
    sft::LoadedModel fromTf = sft::loadModelFolder(openAi.path().toStdString());
    sft::LoadedModel fromHf = sft::loadModelFolder(hf.path().toStdString());
    QCOMPARE(fromTf.config.nHeads, 2);
    QCOMPARE(fromTf.config.contextLength, 12);
    torch::NoGradGuard noGrad;
    QVERIFY(torch::equal(fromTf.model->forward(sampleIds()), fromHf.model->forward(sampleIds())));
    QVERIFY(torch::equal(fromTf.model->lm_head->weight, fromTf.model->wte->weight));
    QVERIFY(fromTf.model->lm_head->weight.data_ptr() != fromTf.model->wte->weight.data_ptr());
}

void TestTfCheckpoint::truncatedDataFileIsNamed()
{
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    TfCheckpointWriter writer;
    addOpenAiVariables(writer, model);
    writeOpenAiFolder(dir, writer, tinyConfig());
    const std::string data = dir.filePath("model.ckpt.data-00000-of-00001").toStdString();
    sft::writeFileAtomic(data, sft::readFile(data).substr(0, 1000));
    const QString message = loadError(dir.path().toStdString());
    QVERIFY2(message.contains(QString::fromStdString(data)), qPrintable(message));
    QVERIFY2(message.contains("variable 'model/"), qPrintable(message));
    QVERIFY2(message.contains("past the end of the 1000-byte file (truncated download?)"), qPrintable(message));
}

void TestTfCheckpoint::entryPointingPastTheDataIsNamed()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    writer.add("model/wte", torch::ones({4, 2}));
    writer.add("model/wpe", torch::ones({3, 2}));
    writer.claimOffset("model/wpe", 1'000'000);
    writer.write(prefix);
    const QString message = readError(prefix);
    QVERIFY2(message.contains("model.ckpt.data-00000-of-00001, variable 'model/wpe'"), qPrintable(message));
    QVERIFY2(message.contains("at offset 1000000 lie past the end of the 56-byte file"), qPrintable(message));
}

void TestTfCheckpoint::blockHandlePastTheIndexIsRefused()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    writer.add("model/wte", torch::ones({4, 2}));
    writer.write(prefix);
    std::string index = sft::readFile(prefix + ".index");
    const size_t body = index.size() - sft::kLevelDbFooterBytes;
    index = index.substr(0, body) + sft::test::levelDbFooter(0, 8, body + 100, 40);
    sft::writeFileAtomic(prefix + ".index", index);
    const QString message = readError(prefix);
    QVERIFY2(message.contains("model.ckpt.index"), qPrintable(message));
    QVERIFY2(message.contains("the index block at offset " + QString::number(body + 100)), qPrintable(message));
    QVERIFY2(message.contains("lies past the end"), qPrintable(message));
}

void TestTfCheckpoint::badVarintIsRefused()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    writer.add("model/wte", torch::ones({4, 2}));
    writer.write(prefix);
    std::string index = sft::readFile(prefix + ".index");
    // Every byte of the footer's handles says "more follows": no varint ends within 10 bytes.
    std::fill(index.end() - sft::kLevelDbFooterBytes, index.end() - 8, '\xff');
    sft::writeFileAtomic(prefix + ".index", index);
    const QString message = readError(prefix);
    QVERIFY2(message.contains("model.ckpt.index, footer"), qPrintable(message));
    QVERIFY2(message.contains("varint"), qPrintable(message));
}

void TestTfCheckpoint::damagedBlockFailsItsChecksum()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    writer.add("model/wte", torch::ones({4, 2}));
    writer.write(prefix);
    flipByte(prefix + ".index", 3);
    const QString message = readError(prefix);
    QVERIFY2(message.contains("a data block at offset 0 fails its checksum"), qPrintable(message));
}

void TestTfCheckpoint::damagedTensorFailsItsChecksum()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    writer.add("model/wte", torch::ones({4, 2}));
    writer.write(prefix);
    flipByte(prefix + ".data-00000-of-00001", 5);
    const QString message = readError(prefix);
    QVERIFY2(message.contains("variable 'model/wte': its bytes fail their checksum"), qPrintable(message));
}

void TestTfCheckpoint::wrongMagicIsRefused()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    writer.add("model/wte", torch::ones({4, 2}));
    writer.write(prefix);
    flipByte(prefix + ".index", sft::readFile(prefix + ".index").size() - 1);
    QVERIFY2(readError(prefix).contains("magic number"), qPrintable(readError(prefix)));
    sft::writeFileAtomic(prefix + ".index", "short");
    QVERIFY2(readError(prefix).contains("fewer than the 48-byte footer"), qPrintable(readError(prefix)));
}

void TestTfCheckpoint::missingDataFileIsNamed()
{
    QTemporaryDir dir;
    const std::string prefix = dir.filePath("model.ckpt").toStdString();
    TfCheckpointWriter writer;
    writer.add("model/wte", torch::ones({4, 2}));
    writer.write(prefix);
    QFile::remove(QString::fromStdString(prefix + ".data-00000-of-00001"));
    QVERIFY2(readError(prefix).contains("cannot read " + QString::fromStdString(prefix) + ".data-00000-of-00001"),
             qPrintable(readError(prefix)));
}

void TestTfCheckpoint::missingVariableIsNamed()
{
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    TfCheckpointWriter writer;
    addOpenAiVariables(writer, model);
    writeOpenAiFolder(dir, writer, tinyConfig());
    nlohmann::json hparams = nlohmann::json::parse(sft::readFile(dir.filePath("hparams.json").toStdString()));
    hparams["n_layer"] = 3;
    sft::writeFileAtomic(dir.filePath("hparams.json").toStdString(), hparams.dump());
    const QString message = loadError(dir.path().toStdString());
    QVERIFY2(message.contains("has no tensor 'model/h2/ln_1/g'"), qPrintable(message));
    QVERIFY2(message.contains("hparams.json"), qPrintable(message));
}

QTEST_APPLESS_MAIN(TestTfCheckpoint)
#include "test_tf_checkpoint.moc"
