// What a chapter-7 reader may pass as --model: a .safetensors file with the book's GPTModel
// names (given by its path or alone in a folder) loads into the same logits as the Hugging Face
// folder of the same weights; its head count comes from the GPT-2 sizes or a config.json beside
// it; unknown folders are refused with what was looked for.

#include "core/io/model_folder.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

using sft::Gpt;
using sft::GptConfig;
using sft::TensorMap;

namespace {

GptConfig smallConfig(int64_t embDim, int64_t heads, int64_t layers = 2)
{
    GptConfig c;
    c.vocabSize = 40;
    c.contextLength = 10;
    c.embDim = embDim;
    c.nLayers = layers;
    c.nHeads = heads;
    return c;
}

Gpt randomModel(const GptConfig& config) { return sft::test::randomGpt(config, 7, 0.3); }

torch::Tensor sampleIds() { return torch::tensor(std::vector<int64_t>{3, 39, 17, 0, 22}).unsqueeze(0); }

// The book's state_dict for `model` (ch04 GPTModel, Linear weights [out, in]), with the
// causal-mask buffers torch.save keeps.
TensorMap bookTensors(Gpt& model)
{
    const int64_t d = model->config().embDim, ctx = model->config().contextLength;
    TensorMap t;
    t["tok_emb.weight"] = model->wte->weight.detach();
    t["pos_emb.weight"] = model->wpe->weight.detach();
    for (size_t i = 0; i < model->h->size(); ++i) {
        auto& b = model->h->at<sft::BlockImpl>(i);
        const std::string p = "trf_blocks." + std::to_string(i) + ".";
        const char* qkv[] = {"W_query", "W_key", "W_value"};
        for (int64_t k = 0; k < 3; ++k) {
            t[p + "att." + qkv[k] + ".weight"] = b.attn->c_attn->weight.detach().narrow(0, k * d, d).contiguous();
            if (b.attn->c_attn->bias.defined())
                t[p + "att." + qkv[k] + ".bias"] = b.attn->c_attn->bias.detach().narrow(0, k * d, d).contiguous();
        }
        t[p + "att.out_proj.weight"] = b.attn->c_proj->weight.detach();
        t[p + "att.out_proj.bias"] = b.attn->c_proj->bias.detach();
        t[p + "att.mask"] = torch::ones({ctx, ctx}).triu(1);
        t[p + "ff.layers.0.weight"] = b.mlp->c_fc->weight.detach();
        t[p + "ff.layers.0.bias"] = b.mlp->c_fc->bias.detach();
        t[p + "ff.layers.2.weight"] = b.mlp->c_proj->weight.detach();
        t[p + "ff.layers.2.bias"] = b.mlp->c_proj->bias.detach();
        t[p + "norm1.scale"] = b.ln_1->weight.detach();
        t[p + "norm1.shift"] = b.ln_1->bias.detach();
        t[p + "norm2.scale"] = b.ln_2->weight.detach();
        t[p + "norm2.shift"] = b.ln_2->bias.detach();
    }
    t["final_norm.scale"] = model->ln_f->weight.detach();
    t["final_norm.shift"] = model->ln_f->bias.detach();
    t["out_head.weight"] = model->lm_head->weight.detach();
    return t;
}

torch::Tensor logitsOf(const std::string& path)
{
    sft::LoadedModel loaded = sft::loadModelFolder(path);
    torch::NoGradGuard noGrad;
    return loaded.model->forward(sampleIds());
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

} // namespace

class TestModelFormats : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bookFileGivesTheLogitsOfTheHfFolder();
    void bookFileAloneInAFolderIsFound();
    void configJsonGivesTheHeadCount();
    void headCountThatCannotBeKnownIsExplained();
    void configJsonThatDisagreesIsRefused();
    void bookModelWithoutQkvBiasLoads();
    void missingBookTensorIsNamed();
    void tokenizerOfAWeightsFileIsBesideIt();
    void unknownFolderListsWhatWasLookedFor();
    void severalSafetensorsFilesAreNotGuessed();
};

void TestModelFormats::bookFileGivesTheLogitsOfTheHfFolder()
{
    // 768 wide: the head count (12) is GPT-2 small's.
    Gpt model = randomModel(smallConfig(768, 12, 1));
    QTemporaryDir book, hf;
    const std::string file = book.filePath("gpt2-small-124M.safetensors").toStdString();
    sft::writeSafetensors(file, bookTensors(model));
    sft::saveModelFolder(hf.path().toStdString(), model, nullptr);
    QVERIFY(sft::isModelFolder(file));
    const sft::LoadedModel loaded = sft::loadModelFolder(file);
    QCOMPARE(loaded.config.nHeads, 12);
    QCOMPARE(loaded.config.nLayers, 1);
    QCOMPARE(loaded.config.contextLength, 10);
    QCOMPARE(loaded.config.vocabSize, 40);
    QVERIFY(torch::equal(logitsOf(file), logitsOf(hf.path().toStdString())));
}

void TestModelFormats::bookFileAloneInAFolderIsFound()
{
    Gpt model = randomModel(smallConfig(768, 12, 1));
    QTemporaryDir book, hf;
    sft::writeSafetensors(book.filePath("gpt2-small-124M.safetensors").toStdString(), bookTensors(model));
    sft::saveModelFolder(hf.path().toStdString(), model, nullptr);
    QVERIFY(torch::equal(logitsOf(book.path().toStdString()), logitsOf(hf.path().toStdString())));
}

void TestModelFormats::configJsonGivesTheHeadCount()
{
    Gpt model = randomModel(smallConfig(8, 2));
    QTemporaryDir book, hf;
    sft::writeSafetensors(book.filePath("weights.safetensors").toStdString(), bookTensors(model));
    // The book's GPT_CONFIG keys, as a reader would write them down.
    sft::writeFileAtomic(book.filePath("config.json").toStdString(),
                         R"({"vocab_size": 40, "context_length": 10, "emb_dim": 8, "n_heads": 2, "n_layers": 2,
                             "drop_rate": 0.0, "qkv_bias": true})");
    sft::saveModelFolder(hf.path().toStdString(), model, nullptr);
    QCOMPARE(sft::loadModelFolder(book.path().toStdString()).config.nHeads, 2);
    QVERIFY(torch::equal(logitsOf(book.path().toStdString()), logitsOf(hf.path().toStdString())));
}

void TestModelFormats::headCountThatCannotBeKnownIsExplained()
{
    Gpt model = randomModel(smallConfig(8, 2));
    QTemporaryDir book;
    const std::string file = book.filePath("weights.safetensors").toStdString();
    sft::writeSafetensors(file, bookTensors(model));
    const QString message = loadError(file);
    QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
    QVERIFY2(message.contains("emb_dim 8") && message.contains("config.json") && message.contains("n_heads"),
             qPrintable(message));
}

void TestModelFormats::configJsonThatDisagreesIsRefused()
{
    Gpt model = randomModel(smallConfig(8, 2));
    QTemporaryDir book;
    sft::writeSafetensors(book.filePath("weights.safetensors").toStdString(), bookTensors(model));
    sft::writeFileAtomic(book.filePath("config.json").toStdString(), R"({"emb_dim": 16, "n_heads": 2})");
    const QString message = loadError(book.path().toStdString());
    QVERIFY2(message.contains("says emb_dim 16") && message.contains("holds 8"), qPrintable(message));
}

void TestModelFormats::bookModelWithoutQkvBiasLoads()
{
    GptConfig config = smallConfig(768, 12, 1);
    config.qkvBias = false; // the book's GPT_CONFIG_124M of chapter 4
    Gpt model = randomModel(config);
    QTemporaryDir book, hf;
    sft::writeSafetensors(book.filePath("model.safetensors").toStdString(), bookTensors(model));
    sft::saveModelFolder(hf.path().toStdString(), model, nullptr);
    const sft::LoadedModel loaded = sft::loadModelFolder(book.path().toStdString());
    QVERIFY(!loaded.config.qkvBias);
    QVERIFY(!loaded.model->h->at<sft::BlockImpl>(0).attn->c_attn->bias.defined());
    QVERIFY(torch::equal(logitsOf(book.path().toStdString()), logitsOf(hf.path().toStdString())));
}

void TestModelFormats::missingBookTensorIsNamed()
{
    Gpt model = randomModel(smallConfig(768, 12, 1));
    TensorMap tensors = bookTensors(model);
    tensors.erase("trf_blocks.0.att.W_key.weight");
    QTemporaryDir book;
    const std::string file = book.filePath("model.safetensors").toStdString();
    sft::writeSafetensors(file, tensors);
    const QString message = loadError(book.path().toStdString());
    QVERIFY2(message.contains(QString::fromStdString(file) + " has no tensor 'trf_blocks.0.att.W_key.weight'"),
             qPrintable(message));
}

void TestModelFormats::tokenizerOfAWeightsFileIsBesideIt()
{
    QTemporaryDir dir;
    const std::string file = dir.filePath("gpt2-small-124M.safetensors").toStdString();
    sft::writeFileAtomic(file, "");
    try {
        sft::loadTokenizer(file);
        QFAIL("expected FormatError");
    } catch (const sft::FormatError& e) {
        QVERIFY2(QString(e.what()).contains("no GPT-2 tokenizer files in " + dir.path() + " "), e.what());
    }
}

void TestModelFormats::unknownFolderListsWhatWasLookedFor()
{
    QTemporaryDir dir;
    sft::writeFileAtomic(dir.filePath("gpt2-medium355M-sft.pth").toStdString(), "pickle");
    QVERIFY(!sft::isModelFolder(dir.path().toStdString()));
    const QString message = loadError(dir.path().toStdString());
    for (const char* expected : {"config.json + model.safetensors", "book's tensor names", "hparams.json",
                                 "model.ckpt.index", ".pth"})
        QVERIFY2(message.contains(expected), qPrintable(message));
}

void TestModelFormats::severalSafetensorsFilesAreNotGuessed()
{
    QTemporaryDir dir;
    sft::writeFileAtomic(dir.filePath("gpt2-small-124M.safetensors").toStdString(), "");
    sft::writeFileAtomic(dir.filePath("gpt2-medium-355M.safetensors").toStdString(), "");
    const QString message = loadError(dir.path().toStdString());
    QVERIFY2(message.contains("several .safetensors files (gpt2-medium-355M.safetensors, gpt2-small-124M.safetensors)"),
             qPrintable(message));
}

QTEST_APPLESS_MAIN(TestModelFormats)
#include "test_model_formats.moc"
