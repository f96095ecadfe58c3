#include "core/model/lora.h"

#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

namespace sft {

namespace {

void addSite(std::vector<LoraSite>& sites, const std::string& module, const std::string& part, LoraLinear& linear,
             int64_t offset, int64_t size)
{
    sites.push_back({module, part, linear.get(), offset, size});
}

} // namespace

std::vector<LoraSite> loraSites(Gpt& model, const std::set<LoraTarget>& targets)
{
    const int64_t d = model->config().embDim;
    const auto has = [&](LoraTarget t) { return targets.count(t) > 0; };
    std::vector<LoraSite> sites;
    for (size_t i = 0; i < model->h->size(); ++i) {
        BlockImpl& block = model->h->at<BlockImpl>(i);
        const std::string prefix = "h." + std::to_string(i) + ".";
        const LoraTarget bands[] = {LoraTarget::Query, LoraTarget::Key, LoraTarget::Value};
        for (int64_t band = 0; band < 3; ++band)
            if (has(bands[band]))
                addSite(sites, prefix + "attn.c_attn", loraTargetName(bands[band]), block.attn->c_attn, band * d, d);
        if (has(LoraTarget::AttentionOut))
            addSite(sites, prefix + "attn.c_proj", "", block.attn->c_proj, 0, d);
        if (has(LoraTarget::FeedForward)) {
            addSite(sites, prefix + "mlp.c_fc", "", block.mlp->c_fc, 0, 4 * d);
            addSite(sites, prefix + "mlp.c_proj", "", block.mlp->c_proj, 0, d);
        }
    }
    if (has(LoraTarget::Head))
        addSite(sites, "lm_head", "", model->lm_head, 0, model->config().vocabSize);
    return sites;
}

std::vector<torch::Tensor> addLora(Gpt& model, const LoraOptions& options, uint64_t seed)
{
    options.validate();
    if (hasLora(model))
        throw ConfigError("the model already has LoRA adapters; merge them before adding new ones");
    for (auto& p : model->parameters())
        p.set_requires_grad(false);
    // A private generator, as in Gpt::initWeights: the seed alone decides the adapters.
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const LoraShape shape{options.rank, options.alpha, options.dropout};
    std::vector<torch::Tensor> trainable;
    for (const LoraSite& site : loraSites(model, options.targets)) {
        LoraAdapter adapter = site.linear->addAdapter(site.part, site.offset, site.size, shape, gen);
        trainable.push_back(adapter->lora_A);
        trainable.push_back(adapter->lora_B);
    }
    return trainable;
}

AdaptersDisabled::AdaptersDisabled(Gpt& model)
{
    for (const auto& module : model->modules(/*include_self=*/false))
        if (auto* layer = module->as<LoraLinear>()) {
            layer->setAdaptersEnabled(false);
            layers_.push_back(layer);
        }
}

AdaptersDisabled::~AdaptersDisabled()
{
    for (LoraLinearImpl* layer : layers_)
        layer->setAdaptersEnabled(true);
}

bool hasLora(const Gpt& model) { return !loraParameters(model).empty(); }

std::vector<torch::Tensor> loraParameters(const Gpt& model)
{
    std::vector<torch::Tensor> out;
    for (const auto& module : model->modules(/*include_self=*/false))
        if (const auto* adapter = module->as<LoraAdapter>()) {
            out.push_back(adapter->lora_A);
            out.push_back(adapter->lora_B);
        }
    return out;
}

LoraOptions loraOptionsOf(Gpt& model)
{
    LoraOptions options;
    options.targets.clear();
    for (const std::string& name : loraTargetNames())
        for (const LoraSite& site : loraSites(model, {parseLoraTarget(name)}))
            if (LoraAdapter adapter = site.linear->findAdapter(site.part)) {
                options.targets.insert(parseLoraTarget(name));
                options.rank = adapter->shape().rank;
                options.alpha = adapter->shape().alpha;
                options.dropout = adapter->shape().dropout;
            }
    if (options.targets.empty())
        throw ConfigError("the model has no LoRA adapters");
    return options;
}

void mergeLora(Gpt& model)
{
    for (const auto& module : model->modules(/*include_self=*/false))
        if (auto* linear = module->as<LoraLinear>())
            linear->mergeAdapters();
    for (auto& p : model->parameters())
        p.set_requires_grad(true);
}

int64_t loraParameterCount(const GptConfig& config, const LoraOptions& options)
{
    const int64_t d = config.embDim, r = options.rank;
    const auto has = [&](LoraTarget t) { return options.targets.count(t) > 0; };
    int64_t perLayer = 0;
    for (LoraTarget band : {LoraTarget::Query, LoraTarget::Key, LoraTarget::Value})
        perLayer += has(band) ? r * (d + d) : 0;
    perLayer += has(LoraTarget::AttentionOut) ? r * (d + d) : 0;
    perLayer += has(LoraTarget::FeedForward) ? r * (d + 4 * d) + r * (4 * d + d) : 0;
    return config.nLayers * perLayer + (has(LoraTarget::Head) ? r * (d + config.vocabSize) : 0);
}

int64_t trainableParameterCount(const Gpt& model)
{
    int64_t n = 0;
    for (const auto& p : model->parameters())
        n += p.requires_grad() ? p.numel() : 0;
    return n;
}

int64_t totalParameterCount(const Gpt& model)
{
    int64_t n = 0;
    for (const auto& p : model->parameters())
        n += p.numel();
    return n;
}

} // namespace sft
