// LoRA: the layer keeps Linear's parameters and computes W x + b + (alpha/r) B A x on its band;
// trainable counts match r (in + out) per adapted matrix read off the model's shapes; a fresh
// adapter changes nothing; training moves only adapters; merging, saving a model folder and
// saving adapters alone all give the adapted model's logits; adapters of another model size are
// refused; the memory estimate tells full fine-tuning of gpt2-xl from LoRA.

#include "core/io/lora_adapters.h"
#include "core/io/model_folder.h"
#include "core/io/safetensors.h"
#include "core/model/lora.h"
#include "core/train/memory_estimate.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <map>
#include <set>
#include <string>

using namespace sft;

namespace {

GptConfig smallConfig(int64_t embDim = 16, int64_t layers = 2)
{
    GptConfig c;
    c.vocabSize = 53;
    c.contextLength = 16;
    c.embDim = embDim;
    c.nLayers = layers;
    c.nHeads = 4;
    return c;
}

// Weights of GPT-2's scale: the test trains this model, and 0.5-scale weights saturate it.
Gpt baseModel(const GptConfig& config = smallConfig())
{
    Gpt model(config);
    model->initWeights(7);
    model->eval();
    return model;
}

torch::Tensor sampleIds() { return torch::tensor(std::vector<int64_t>{3, 50, 17, 0, 42, 9, 11, 8}).view({2, 4}); }

torch::Tensor logitsOf(Gpt& model)
{
    torch::NoGradGuard noGrad;
    model->eval();
    return model->forward(sampleIds());
}

LoraOptions optionsFor(std::set<LoraTarget> targets, int64_t rank, double dropout = 0)
{
    LoraOptions o;
    o.rank = rank;
    o.alpha = 2.0 * double(rank);
    o.dropout = dropout;
    o.targets = std::move(targets);
    return o;
}

const std::set<LoraTarget> kAll{LoraTarget::Query,        LoraTarget::Key,         LoraTarget::Value,
                                LoraTarget::AttentionOut, LoraTarget::FeedForward, LoraTarget::Head};

// r (in + out) for every matrix the targets adapt, with in and out read off the weights;
// the query, key and value bands are each a third of c_attn's rows.
int64_t adapterCountFromShapes(Gpt& model, const LoraOptions& o)
{
    const auto has = [&](LoraTarget t) { return o.targets.count(t) > 0; };
    const auto matrix = [&](const torch::Tensor& w, int64_t outRows) { return o.rank * (w.size(1) + outRows); };
    int64_t n = 0;
    for (size_t i = 0; i < model->h->size(); ++i) {
        BlockImpl& b = model->h->at<BlockImpl>(i);
        const torch::Tensor& qkv = b.attn->c_attn->weight;
        for (LoraTarget band : {LoraTarget::Query, LoraTarget::Key, LoraTarget::Value})
            n += has(band) ? matrix(qkv, qkv.size(0) / 3) : 0;
        n += has(LoraTarget::AttentionOut) ? matrix(b.attn->c_proj->weight, b.attn->c_proj->weight.size(0)) : 0;
        if (has(LoraTarget::FeedForward))
            n += matrix(b.mlp->c_fc->weight, b.mlp->c_fc->weight.size(0)) +
                 matrix(b.mlp->c_proj->weight, b.mlp->c_proj->weight.size(0));
    }
    return n + (has(LoraTarget::Head) ? matrix(model->lm_head->weight, model->lm_head->weight.size(0)) : 0);
}

std::map<std::string, torch::Tensor> snapshot(const Gpt& model)
{
    std::map<std::string, torch::Tensor> copy;
    for (const auto& p : model->named_parameters())
        copy[p.key()] = p.value().detach().clone();
    return copy;
}

// A few AdamW steps of next-token loss on the adapters alone (the base is frozen).
void trainAdapters(Gpt& model, const std::vector<torch::Tensor>& adapters)
{
    torch::optim::AdamW optimizer(adapters, torch::optim::AdamWOptions(0.05).weight_decay(0.0));
    const torch::Tensor ids = sampleIds();
    model->train();
    for (int step = 0; step < 5; ++step) {
        optimizer.zero_grad();
        const torch::Tensor logits = model->forward(ids.slice(1, 0, 3));
        const torch::Tensor loss =
            torch::nn::functional::cross_entropy(logits.reshape({-1, logits.size(-1)}), ids.slice(1, 1).reshape(-1));
        loss.backward();
        optimizer.step();
    }
    model->eval();
}

Gpt trainedLoraModel(const LoraOptions& options)
{
    Gpt model = baseModel();
    trainAdapters(model, addLora(model, options, 3));
    return model;
}

std::set<std::string> namesOf(const Gpt& model)
{
    std::set<std::string> names;
    for (const auto& p : model->named_parameters())
        names.insert(p.key());
    return names;
}

} // namespace

class TestLora : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void layerRegistersWhatLinearRegisters();
    void adapterAddsScaledLowRankUpdateOnItsBand();
    void adapterDropoutOnlyWhileTraining();
    void trainableCountMatchesShapes();
    void freshAdaptersKeepLogits();
    void trainingMovesOnlyAdapters();
    void mergedModelGivesAdaptedLogits();
    void savedModelFolderIsMerged();
    void adaptersRoundTrip();
    void adaptersOfAnotherSizeAreRefused();
    void optionsJsonAndValidation();
    void memoryEstimateTellsFullFromLora();
};

void TestLora::layerRegistersWhatLinearRegisters()
{
    for (bool bias : {true, false}) {
        const auto options = torch::nn::LinearOptions(5, 7).bias(bias);
        torch::manual_seed(11);
        torch::nn::Linear plain(options);
        torch::manual_seed(11);
        LoraLinear lora(options);
        const auto expected = plain->named_parameters();
        const auto actual = lora->named_parameters();
        QVERIFY(actual.keys() == expected.keys());
        for (const auto& p : expected)
            QVERIFY(torch::equal(actual[p.key()], p.value()));
        const torch::Tensor x = torch::randn({3, 5});
        QVERIFY(torch::equal(lora->forward(x), plain->forward(x)));
    }
}

void TestLora::adapterAddsScaledLowRankUpdateOnItsBand()
{
    LoraLinear layer(6, 9); // a fused q|k|v of width 3
    at::Generator gen = at::detail::createCPUGenerator(1);
    LoraAdapter k = layer->addAdapter("k", 3, 3, LoraShape{2, 5.0, 0.0}, gen);
    {
        torch::NoGradGuard noGrad;
        k->lora_B.copy_(torch::randn({3, 2}));
    }
    layer->eval();
    const torch::Tensor x = torch::randn({4, 6});
    const torch::Tensor plain = torch::matmul(x, layer->weight.t()) + layer->bias;
    const torch::Tensor update = (5.0 / 2.0) * torch::matmul(torch::matmul(x, k->lora_A.t()), k->lora_B.t());
    const torch::Tensor y = layer->forward(x).detach();
    QVERIFY(torch::allclose(y.slice(1, 0, 3), plain.slice(1, 0, 3)));
    QVERIFY(torch::allclose(y.slice(1, 3, 6), plain.slice(1, 3, 6) + update, 1e-5, 1e-6));
    QVERIFY(torch::allclose(y.slice(1, 6, 9), plain.slice(1, 6, 9)));
    QVERIFY(!torch::allclose(update, torch::zeros_like(update)));
    // A: kaiming-uniform, |a| <= 1/sqrt(in); B starts at zero.
    QVERIFY(k->lora_A.abs().max().item<double>() <= 1.0 / std::sqrt(6.0));
    QVERIFY_THROWS_EXCEPTION(ConfigError, layer->addAdapter("k", 3, 3, LoraShape{}, gen));
}

void TestLora::adapterDropoutOnlyWhileTraining()
{
    LoraLinear layer(32, 32);
    at::Generator gen = at::detail::createCPUGenerator(1);
    LoraAdapter adapter = layer->addAdapter("", 0, 32, LoraShape{4, 8.0, 0.5}, gen);
    {
        torch::NoGradGuard noGrad;
        adapter->lora_B.fill_(1.0);
    }
    const torch::Tensor x = torch::randn({8, 32});
    layer->train();
    QVERIFY(!torch::equal(layer->forward(x), layer->forward(x)));
    layer->eval();
    QVERIFY(torch::equal(layer->forward(x), layer->forward(x)));
}

void TestLora::trainableCountMatchesShapes()
{
    const GptConfig config = GptConfig::preset("gpt2-small");
    Gpt model(config);
    const int64_t base = config.parameterCount();
    const std::pair<std::set<LoraTarget>, int64_t> cases[] = {
        {{LoraTarget::Query, LoraTarget::Value}, 8},
        {{LoraTarget::Query, LoraTarget::Key, LoraTarget::Value, LoraTarget::AttentionOut}, 4},
        {{LoraTarget::FeedForward}, 1},
        {{LoraTarget::Head}, 2},
        {kAll, 16},
    };
    for (const auto& [targets, rank] : cases) {
        const LoraOptions options = optionsFor(targets, rank);
        const std::vector<torch::Tensor> returned = addLora(model, options, 1);
        int64_t requiringGrad = 0, returnedCount = 0;
        for (const auto& p : model->parameters())
            requiringGrad += p.requires_grad() ? p.numel() : 0;
        for (const auto& p : returned)
            returnedCount += p.numel();
        const int64_t expected = adapterCountFromShapes(model, options);
        QVERIFY(expected > 0);
        QCOMPARE(requiringGrad, expected);
        QCOMPARE(returnedCount, expected);
        QCOMPARE(loraParameterCount(config, options), expected);
        QCOMPARE(trainableParameterCount(model), expected);
        QCOMPARE(totalParameterCount(model), base + expected);
        mergeLora(model); // B is zero: the weights stay as they were
        QCOMPARE(trainableParameterCount(model), base);
    }
}

void TestLora::freshAdaptersKeepLogits()
{
    Gpt model = baseModel();
    const torch::Tensor before = logitsOf(model);
    addLora(model, optionsFor(kAll, 4, 0.1), 2);
    QVERIFY(torch::equal(logitsOf(model), before));
}

void TestLora::trainingMovesOnlyAdapters()
{
    Gpt model = baseModel();
    const torch::Tensor baseLogits = logitsOf(model);
    const auto before = snapshot(model);
    const std::vector<torch::Tensor> adapters = addLora(model, optionsFor(kAll, 4, 0.1), 3);
    trainAdapters(model, adapters);
    const auto after = model->named_parameters();
    for (const auto& [name, value] : before) {
        const torch::Tensor& now = after[name];
        QVERIFY2(torch::equal(now, value), name.c_str());
        QVERIFY2(!now.grad().defined(), name.c_str());
    }
    QVERIFY(!torch::allclose(logitsOf(model), baseLogits, 1e-3, 1e-3));
}

void TestLora::mergedModelGivesAdaptedLogits()
{
    Gpt model = trainedLoraModel(optionsFor(kAll, 4, 0.1));
    const std::set<std::string> plainNames = namesOf(baseModel());
    QVERIFY(namesOf(model) != plainNames);
    const torch::Tensor adapted = logitsOf(model);
    mergeLora(model);
    QVERIFY(!hasLora(model));
    QVERIFY(namesOf(model) == plainNames);
    QVERIFY(torch::allclose(logitsOf(model), adapted, 1e-5, 1e-5));
    QCOMPARE(trainableParameterCount(model), totalParameterCount(model));
}

void TestLora::savedModelFolderIsMerged()
{
    Gpt model = trainedLoraModel(optionsFor({LoraTarget::Query, LoraTarget::Value, LoraTarget::Head}, 2));
    const torch::Tensor adapted = logitsOf(model);
    QTemporaryDir dir;
    saveModelFolder(dir.path().toStdString(), model, nullptr);
    QVERIFY(hasLora(model));
    for (const auto& [name, tensor] : readSafetensors(dir.filePath("model.safetensors").toStdString()).tensors)
        QVERIFY2(name.find("lora") == std::string::npos, name.c_str());
    LoadedModel loaded = loadModelFolder(dir.path().toStdString());
    QVERIFY(torch::allclose(logitsOf(loaded.model), adapted, 1e-5, 1e-5));
}

void TestLora::adaptersRoundTrip()
{
    const LoraOptions options = optionsFor({LoraTarget::Key, LoraTarget::AttentionOut, LoraTarget::Head}, 3);
    Gpt model = trainedLoraModel(options);
    QTemporaryDir dir;
    saveLoraAdapters(dir.path().toStdString(), model, "gpt2-small");
    QVERIFY(isLoraAdapterFolder(dir.path().toStdString()));

    const TensorMap saved = readSafetensors(dir.filePath("adapter_model.safetensors").toStdString()).tensors;
    QCOMPARE(saved.size(), size_t(2 * (2 * 2 + 1))); // A and B of k and c_proj in two layers, and the head
    const auto shape = [&](const std::string& name) { return saved.at(name).sizes().vec(); };
    QVERIFY(shape("base_model.model.transformer.h.1.attn.c_attn.k.lora_A.weight") == std::vector<int64_t>({3, 16}));
    QVERIFY(shape("base_model.model.transformer.h.0.attn.c_proj.lora_B.weight") == std::vector<int64_t>({16, 3}));
    QVERIFY(shape("base_model.model.lm_head.lora_B.weight") == std::vector<int64_t>({53, 3}));
    const auto config = nlohmann::json::parse(readFile(dir.filePath("adapter_config.json").toStdString()));
    QCOMPARE(config.at("r").get<int>(), 3);
    QCOMPARE(config.at("lora_alpha").get<double>(), 6.0);
    QCOMPARE(config.at("base_model_name_or_path").get<std::string>(), std::string("gpt2-small"));

    Gpt fresh = baseModel();
    const LoraOptions loaded = loadLoraAdapters(fresh, dir.path().toStdString());
    QVERIFY(loaded.toJson() == options.toJson());
    QVERIFY(torch::equal(logitsOf(fresh), logitsOf(model)));
    QCOMPARE(trainableParameterCount(fresh), loraParameterCount(fresh->config(), options));
}

void TestLora::adaptersOfAnotherSizeAreRefused()
{
    Gpt model = trainedLoraModel(optionsFor({LoraTarget::Query, LoraTarget::Value}, 2));
    QTemporaryDir dir;
    saveLoraAdapters(dir.path().toStdString(), model);
    for (const GptConfig& other : {smallConfig(32, 2), smallConfig(16, 1), smallConfig(16, 3)}) {
        Gpt wrong = baseModel(other);
        try {
            loadLoraAdapters(wrong, dir.path().toStdString());
            QFAIL("expected FormatError");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains("adapter_model.safetensors"), e.what());
            QVERIFY2(QString(e.what()).contains("another size"), e.what());
        }
        QVERIFY(!hasLora(wrong));
    }
    writeFileAtomic(dir.filePath("adapter_config.json").toStdString(), R"({"r": 0})");
    Gpt same = baseModel();
    QVERIFY_THROWS_EXCEPTION(FormatError, loadLoraAdapters(same, dir.path().toStdString()));
    QTemporaryDir empty;
    QVERIFY_THROWS_EXCEPTION(FormatError, loadLoraAdapters(same, empty.path().toStdString()));
}

void TestLora::optionsJsonAndValidation()
{
    const LoraOptions o = optionsFor({LoraTarget::Value, LoraTarget::FeedForward}, 12, 0.1);
    const LoraOptions back = LoraOptions::fromJson(o.toJson());
    QCOMPARE(back.rank, int64_t(12));
    QCOMPARE(back.alpha, 24.0);
    QCOMPARE(back.dropout, 0.1);
    QVERIFY(back.targets == o.targets);
    QVERIFY(parseLoraTargets(" q, v ") == (std::set<LoraTarget>{LoraTarget::Query, LoraTarget::Value}));
    QVERIFY(parseLoraTargets("all") == kAll);
    QVERIFY_THROWS_EXCEPTION(ConfigError, parseLoraTargets("q,mlp"));
    QVERIFY_THROWS_EXCEPTION(ConfigError, LoraOptions::fromJson({{"r", 0}}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, LoraOptions::fromJson({{"lora_dropout", 1.0}}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, LoraOptions::fromJson({{"targets", nlohmann::json::array()}}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, LoraOptions::fromJson({{"r", "eight"}}));
    Gpt model = baseModel();
    addLora(model, o, 1);
    QVERIFY_THROWS_EXCEPTION(ConfigError, addLora(model, o, 1));
    QVERIFY(loraOptionsOf(model).toJson() == o.toJson());
}

void TestLora::memoryEstimateTellsFullFromLora()
{
    const GptConfig xl = GptConfig::preset("gpt2-xl");
    const LoraOptions lora;
    const MemoryEstimate full = estimateTrainingMemory(xl, 2, 128, nullptr);
    const MemoryEstimate adapted = estimateTrainingMemory(xl, 2, 128, &lora);
    // 1.64 billion fp32 numbers four times over (weights, gradients, two AdamW moments).
    QVERIFY(full.peak() > int64_t(16) * 1'600'000'000);
    QVERIFY(adapted.training() < full.training() / 2);
    QVERIFY(adapted.peak() < full.peak());
    QVERIFY(adapted.modelFiles > full.modelFiles); // saving merges copies of the adapted layers
    QVERIFY(adapted.weights > full.weights);
    QVERIFY(adapted.gradients < full.gradients / 100);
    QVERIFY(estimateTrainingMemory(xl, 8, 1024, &lora).activations > adapted.activations * 16);

    const int64_t machine = int64_t(23) * 1'000'000'000;
    const QString refusal =
        QString::fromStdString(trainingMemoryShortfall(xl, "gpt2-xl", 2, 128, nullptr, machine));
    QVERIFY2(refusal.startsWith("full fine-tuning of gpt2-xl") && refusal.contains("23 GB available") &&
                 refusal.contains("Use LoRA"),
             qPrintable(refusal));
    QVERIFY(trainingMemoryShortfall(xl, "gpt2-xl", 2, 128, &lora, machine).empty());
    QVERIFY(availableMemoryBytes() > 0);
}

QTEST_APPLESS_MAIN(TestLora)
#include "test_lora.moc"
