// Model folders in the Hugging Face GPT-2 layout: save and load give back the same model; the
// variants Hugging Face writes (a "transformer." prefix, no lm_head when tied, F16 weights,
// causal-mask buffers) load as the test builds them by hand; broken folders are refused with
// the file and tensor named.

#include "core/io/mapping_guard.h"
#include "core/io/model_folder.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

using sft::Gpt;
using sft::GptConfig;
using sft::TensorMap;

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

Gpt randomModel(const GptConfig& config, uint64_t seed = 5) { return sft::test::randomGpt(config, seed); }

torch::Tensor sampleIds() { return torch::tensor(std::vector<int64_t>{3, 60, 17, 0, 42, 9}).unsqueeze(0); }

// HF's own tensors for `model`, built here from the parameters by the rules of the format:
// Conv1D weights are [in, out], everything else as in torch.
TensorMap hfTensorsByHand(Gpt& model, const std::string& prefix)
{
    TensorMap t;
    t[prefix + "wte.weight"] = model->wte->weight.detach();
    t[prefix + "wpe.weight"] = model->wpe->weight.detach();
    for (size_t i = 0; i < model->h->size(); ++i) {
        auto& b = model->h->at<sft::BlockImpl>(i);
        const std::string h = prefix + "h." + std::to_string(i) + ".";
        t[h + "ln_1.weight"] = b.ln_1->weight.detach();
        t[h + "ln_1.bias"] = b.ln_1->bias.detach();
        t[h + "attn.c_attn.weight"] = b.attn->c_attn->weight.detach().t().contiguous();
        t[h + "attn.c_attn.bias"] = b.attn->c_attn->bias.detach();
        t[h + "attn.c_proj.weight"] = b.attn->c_proj->weight.detach().t().contiguous();
        t[h + "attn.c_proj.bias"] = b.attn->c_proj->bias.detach();
        t[h + "ln_2.weight"] = b.ln_2->weight.detach();
        t[h + "ln_2.bias"] = b.ln_2->bias.detach();
        t[h + "mlp.c_fc.weight"] = b.mlp->c_fc->weight.detach().t().contiguous();
        t[h + "mlp.c_fc.bias"] = b.mlp->c_fc->bias.detach();
        t[h + "mlp.c_proj.weight"] = b.mlp->c_proj->weight.detach().t().contiguous();
        t[h + "mlp.c_proj.bias"] = b.mlp->c_proj->bias.detach();
    }
    t[prefix + "ln_f.weight"] = model->ln_f->weight.detach();
    t[prefix + "ln_f.bias"] = model->ln_f->bias.detach();
    return t;
}

void writeFolder(const QTemporaryDir& dir, const nlohmann::json& config, const TensorMap& tensors)
{
    sft::writeFileAtomic(dir.filePath("config.json").toStdString(), config.dump());
    sft::writeSafetensors(dir.filePath("model.safetensors").toStdString(), tensors);
}

nlohmann::json hfConfig(const GptConfig& c)
{
    // As openai-community/gpt2 has it: no tie_word_embeddings key, so tied.
    return {{"model_type", "gpt2"}, {"n_embd", c.embDim},          {"n_layer", c.nLayers},
            {"n_head", c.nHeads},   {"n_positions", c.contextLength}, {"vocab_size", c.vocabSize}};
}

std::string loadError(const QTemporaryDir& dir)
{
    try {
        sft::loadModelFolder(dir.path().toStdString());
    } catch (const sft::WeightsError& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

class TestModelFolder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void saveThenLoadGivesTheSameLogits();
    void loadingDrawsNoRandomWeights();
    void savedFolderIsHuggingFaceShaped();
    void savesTheTokenizer();
    void loadsTransformerPrefixAndMaskBuffers();
    void tiedFileCopiesWteIntoTheHead();
    void inferenceLeavesWeightsInTheFile();
    void fileShortenedUnderAModelIsReportedNotACrash();
    void halfPrecisionWeightsAreWidened();
    void missingTensorIsNamed();
    void wrongShapeSaysExpectedAndFound();
    void extraTensorsAreRefused();
    void truncatedWeightsAreRefused();
    void missingFilesAreNamed();
    void badConfigNamesTheFile();
    void tokenizerErrorSaysWhatToDo();
};

void TestModelFolder::saveThenLoadGivesTheSameLogits()
{
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    sft::saveModelFolder(dir.path().toStdString(), model, nullptr);
    QVERIFY(sft::isModelFolder(dir.path().toStdString()));
    sft::LoadedModel loaded = sft::loadModelFolder(dir.path().toStdString());
    QCOMPARE(loaded.folder, dir.path().toStdString());
    QCOMPARE(loaded.config.embDim, 8);
    QCOMPARE(loaded.config.contextLength, 12);
    torch::NoGradGuard noGrad;
    QVERIFY(torch::equal(loaded.model->forward(sampleIds()), model->forward(sampleIds())));
    QVERIFY(loaded.model->lm_head->weight.data_ptr() != loaded.model->wte->weight.data_ptr());
}

// Weights about to be read from the file are not drawn first (issue 22: a model loads at the
// speed of copying it): the global generator, which torch::nn's initial draws use, is untouched,
// and every weight is still the saved one.
void TestModelFolder::loadingDrawsNoRandomWeights()
{
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    sft::saveModelFolder(dir.path().toStdString(), model, nullptr);
    torch::manual_seed(5);
    const torch::Tensor before = torch::rand({4});
    torch::manual_seed(5);
    sft::LoadedModel loaded = sft::loadModelFolder(dir.path().toStdString());
    QVERIFY(torch::equal(torch::rand({4}), before));
    for (const auto& p : model->named_parameters())
        QVERIFY2(torch::equal(loaded.model->named_parameters()[p.key()], p.value()), p.key().c_str());
}

void TestModelFolder::savedFolderIsHuggingFaceShaped()
{
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    sft::saveModelFolder(dir.path().toStdString(), model, nullptr);
    const auto file = sft::readSafetensors(dir.filePath("model.safetensors").toStdString());
    TensorMap expected = hfTensorsByHand(model, "");
    expected["lm_head.weight"] = model->lm_head->weight.detach();
    QCOMPARE(file.tensors.size(), expected.size());
    for (const auto& [name, t] : expected)
        QVERIFY2(file.tensors.count(name) && torch::equal(file.tensors.at(name), t), name.c_str());
    QCOMPARE(file.metadata.at("format"), std::string("pt"));
    const auto config = nlohmann::json::parse(sft::readFile(dir.filePath("config.json").toStdString()));
    QCOMPARE(config.at("model_type"), nlohmann::json("gpt2"));
    QCOMPARE(config.at("tie_word_embeddings"), nlohmann::json(false));
    QCOMPARE(config.at("n_embd"), nlohmann::json(8));
}

void TestModelFolder::savesTheTokenizer()
{
    if (!sft::test::sharedAvailable())
        QSKIP("shared reference data not found");
    const auto tokenizer = sft::Tokenizer::fromDirectory(sft::test::sharedPath("data/gpt2-tokenizer"));
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    sft::saveModelFolder(dir.path().toStdString(), model, &tokenizer);
    QVERIFY(QFile::exists(dir.filePath("vocab.json")));
    QVERIFY(QFile::exists(dir.filePath("merges.txt")));
    const auto loaded = sft::loadTokenizer(dir.path().toStdString());
    QCOMPARE(loaded.encode("Hello, world!"), (std::vector<int>{15496, 11, 995, 0}));
}

void TestModelFolder::loadsTransformerPrefixAndMaskBuffers()
{
    Gpt model = randomModel(tinyConfig());
    TensorMap tensors = hfTensorsByHand(model, "transformer.");
    tensors["lm_head.weight"] = model->lm_head->weight.detach();
    for (int i = 0; i < 2; ++i) {
        tensors["transformer.h." + std::to_string(i) + ".attn.bias"] = torch::ones({1, 1, 12, 12});
        tensors["transformer.h." + std::to_string(i) + ".attn.masked_bias"] = torch::scalar_tensor(-1e4);
    }
    QTemporaryDir dir;
    writeFolder(dir, hfConfig(tinyConfig()), tensors);
    auto loaded = sft::loadModelFolder(dir.path().toStdString());
    torch::NoGradGuard noGrad;
    QVERIFY(torch::equal(loaded.model->forward(sampleIds()), model->forward(sampleIds())));
}

void TestModelFolder::tiedFileCopiesWteIntoTheHead()
{
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    writeFolder(dir, hfConfig(tinyConfig()), hfTensorsByHand(model, ""));
    auto loaded = sft::loadModelFolder(dir.path().toStdString());
    QVERIFY(torch::equal(loaded.model->lm_head->weight, model->wte->weight));
    QVERIFY(loaded.model->lm_head->weight.data_ptr() != loaded.model->wte->weight.data_ptr());
    QVERIFY(!loaded.config.tieEmbeddings);
    // The chapter's model with out_head = wte gives the same logits.
    torch::NoGradGuard noGrad;
    model->lm_head->weight.copy_(model->wte->weight);
    QVERIFY(torch::equal(loaded.model->forward(sampleIds()), model->forward(sampleIds())));
}

// Loading for inference or evaluation leaves weights in the file's mapped pages instead of
// copying them (issue 22); training gets copies. Every use computes the same logits, and a model
// in use keeps its weights when its folder is saved over (writes replace the file, never
// change it in place).
void TestModelFolder::inferenceLeavesWeightsInTheFile()
{
    using sft::WeightUse;
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    writeFolder(dir, hfConfig(tinyConfig()), hfTensorsByHand(model, ""));
    const std::string path = dir.path().toStdString();
    torch::NoGradGuard noGrad;
    const torch::Tensor expected = sft::loadModelFolder(path).model->forward(sampleIds());
    for (const WeightUse use : {WeightUse::Training, WeightUse::Inference, WeightUse::Evaluation}) {
        const std::string name = std::to_string(int(use));
        sft::LoadedModel loaded = sft::loadModelFolder(path, sft::Adapters::Merge, use);
        const auto& layer = loaded.model->h->at<sft::BlockImpl>(0);
        const torch::Tensor convWeight = layer.attn->c_attn->weight;
        QVERIFY2(torch::equal(convWeight, model->h->at<sft::BlockImpl>(0).attn->c_attn->weight), name.c_str());
        // Decoding's kernels read Linear's [out, in] layout; the file's Conv1D [in, out] is a view only for evaluation.
        QCOMPARE(convWeight.is_contiguous(), use != WeightUse::Evaluation);
        QCOMPARE(loaded.model->lm_head->weight.data_ptr() == loaded.model->wte->weight.data_ptr(),
                 use != WeightUse::Training);
        const torch::Tensor logits = loaded.model->forward(sampleIds());
        QVERIFY2(torch::allclose(logits, expected, 1e-5, 1e-5), name.c_str());
        if (use == WeightUse::Inference)
            QVERIFY(torch::equal(logits, expected));
    }

    sft::LoadedModel inUse = sft::loadModelFolder(path, sft::Adapters::Merge, WeightUse::Evaluation);
    const torch::Tensor beforeSave = inUse.model->forward(sampleIds());
    Gpt other = randomModel(tinyConfig(), 77);
    sft::saveModelFolder(path, other, nullptr);
    QVERIFY(torch::equal(inUse.model->forward(sampleIds()), beforeSave));
    QVERIFY(!torch::allclose(sft::loadModelFolder(path).model->forward(sampleIds()), expected));
}

// A file shortened in place while a model reads its weights where they lie: the lost pages read
// as zeros instead of ending the program with SIGBUS, and the loss is reported with the file.
void TestModelFolder::fileShortenedUnderAModelIsReportedNotACrash()
{
#ifdef __SANITIZE_ADDRESS__
    QSKIP("AddressSanitizer handles SIGBUS itself");
#endif
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    sft::saveModelFolder(dir.path().toStdString(), model, nullptr);
    const uint64_t before = sft::lostMappedPages();
    sft::LoadedModel loaded =
        sft::loadModelFolder(dir.path().toStdString(), sft::Adapters::Merge, sft::WeightUse::Evaluation);
    sft::requireNoMappedPagesLostSince(before);
    QVERIFY(QFile::resize(dir.filePath("model.safetensors"), 0));
    torch::NoGradGuard noGrad;
    loaded.model->forward(sampleIds());
    QVERIFY(sft::lostMappedPages() > before);
    std::string error = "no error";
    try {
        sft::requireNoMappedPagesLostSince(before);
    } catch (const sft::WeightsError& e) {
        error = e.what();
    }
    QVERIFY2(error.find("model.safetensors was changed on disk") != std::string::npos, error.c_str());
}

void TestModelFolder::halfPrecisionWeightsAreWidened()
{
    Gpt model = randomModel(tinyConfig());
    TensorMap tensors = hfTensorsByHand(model, "");
    for (auto& [name, t] : tensors)
        t = t.to(name.find("ln_") != std::string::npos ? torch::kBFloat16 : torch::kHalf);
    QTemporaryDir dir;
    writeFolder(dir, hfConfig(tinyConfig()), tensors);
    auto loaded = sft::loadModelFolder(dir.path().toStdString());
    QCOMPARE(loaded.model->wte->weight.scalar_type(), torch::kFloat);
    QVERIFY(torch::equal(loaded.model->wte->weight, tensors["wte.weight"].to(torch::kFloat)));
    QVERIFY(torch::equal(loaded.model->ln_f->weight, tensors["ln_f.weight"].to(torch::kFloat)));
}

void TestModelFolder::missingTensorIsNamed()
{
    Gpt model = randomModel(tinyConfig());
    TensorMap tensors = hfTensorsByHand(model, "");
    tensors.erase("h.1.mlp.c_fc.bias");
    QTemporaryDir dir;
    writeFolder(dir, hfConfig(tinyConfig()), tensors);
    const QString message = QString::fromStdString(loadError(dir));
    QVERIFY2(message.contains("'h.1.mlp.c_fc.bias'"), qPrintable(message));
    QVERIFY2(message.contains("model.safetensors"), qPrintable(message));
}

void TestModelFolder::wrongShapeSaysExpectedAndFound()
{
    Gpt model = randomModel(tinyConfig());
    TensorMap tensors = hfTensorsByHand(model, "");
    // A Linear-layout ([out, in]) c_attn where HF's Conv1D [in, out] belongs.
    tensors["h.0.attn.c_attn.weight"] = model->h->at<sft::BlockImpl>(0).attn->c_attn->weight.detach();
    QTemporaryDir dir;
    writeFolder(dir, hfConfig(tinyConfig()), tensors);
    const QString message = QString::fromStdString(loadError(dir));
    QVERIFY2(message.contains("'h.0.attn.c_attn.weight'"), qPrintable(message));
    QVERIFY2(message.contains("[24, 8]"), qPrintable(message));
    QVERIFY2(message.contains("expected [8, 24]"), qPrintable(message));
}

void TestModelFolder::extraTensorsAreRefused()
{
    // A three-layer file under a two-layer config is not silently half-loaded.
    GptConfig threeLayers = tinyConfig();
    threeLayers.nLayers = 3;
    Gpt model = randomModel(threeLayers);
    QTemporaryDir dir;
    writeFolder(dir, hfConfig(tinyConfig()), hfTensorsByHand(model, ""));
    const QString message = QString::fromStdString(loadError(dir));
    QVERIFY2(message.contains("12 tensors"), qPrintable(message));
    QVERIFY2(message.contains("'h.2.attn.c_attn.bias'"), qPrintable(message));
}

void TestModelFolder::truncatedWeightsAreRefused()
{
    Gpt model = randomModel(tinyConfig());
    QTemporaryDir dir;
    sft::saveModelFolder(dir.path().toStdString(), model, nullptr);
    const std::string path = dir.filePath("model.safetensors").toStdString();
    const std::string bytes = sft::readFile(path);
    sft::writeFileAtomic(path, bytes.substr(0, bytes.size() / 2));
    const QString message = QString::fromStdString(loadError(dir));
    QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
    QVERIFY2(message.contains("truncated"), qPrintable(message));
}

void TestModelFolder::missingFilesAreNamed()
{
    QTemporaryDir empty;
    QVERIFY(!sft::isModelFolder(empty.path().toStdString()));
    QVERIFY2(QString::fromStdString(loadError(empty)).contains("config.json"), loadError(empty).c_str());
    QTemporaryDir configOnly;
    sft::writeFileAtomic(configOnly.filePath("config.json").toStdString(), hfConfig(tinyConfig()).dump());
    QVERIFY(!sft::isModelFolder(configOnly.path().toStdString()));
    QVERIFY2(QString::fromStdString(loadError(configOnly)).contains("model.safetensors"), loadError(configOnly).c_str());
}

void TestModelFolder::badConfigNamesTheFile()
{
    QTemporaryDir dir;
    sft::writeFileAtomic(dir.filePath("config.json").toStdString(), "{\"n_embd\": 8,");
    QVERIFY2(QString::fromStdString(loadError(dir)).contains("config.json is not valid JSON"), loadError(dir).c_str());
    nlohmann::json config = hfConfig(tinyConfig());
    config["n_head"] = 3;
    sft::writeFileAtomic(dir.filePath("config.json").toStdString(), config.dump());
    const QString message = QString::fromStdString(loadError(dir));
    QVERIFY2(message.contains("config.json") && message.contains("divisible"), qPrintable(message));
}

void TestModelFolder::tokenizerErrorSaysWhatToDo()
{
    QTemporaryDir dir;
    try {
        sft::loadTokenizer(dir.path().toStdString());
        QFAIL("expected FormatError");
    } catch (const sft::FormatError& e) {
        QVERIFY2(QString(e.what()).contains("--tokenizer"), e.what());
        QVERIFY2(QString(e.what()).contains(dir.path()), e.what());
    }
}

QTEST_APPLESS_MAIN(TestModelFolder)
#include "test_model_folder.moc"
