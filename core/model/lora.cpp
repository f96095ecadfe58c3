#include "core/model/lora.h"

#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

namespace sft {

namespace {

struct TargetName {
    LoraTarget target;
    const char* name;
};

constexpr TargetName kTargetNames[] = {
    {LoraTarget::Query, "q"},
    {LoraTarget::Key, "k"},
    {LoraTarget::Value, "v"},
    {LoraTarget::AttentionOut, "attn_out"},
    {LoraTarget::FeedForward, "ffn"},
    {LoraTarget::Head, "head"},
};

std::string allTargetNames()
{
    std::string names;
    for (const TargetName& t : kTargetNames)
        names += (names.empty() ? "" : ", ") + std::string(t.name);
    return names;
}

void require(bool ok, const std::string& what)
{
    if (!ok)
        throw ConfigError("LoRA setting " + what);
}

std::string trimmed(const std::string& s)
{
    const auto begin = s.find_first_not_of(" \t");
    return begin == std::string::npos ? std::string() : s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

void addSite(std::vector<LoraSite>& sites, const std::string& module, const std::string& part, LoraLinear& linear,
             int64_t offset, int64_t size)
{
    sites.push_back({module, part, linear.get(), offset, size});
}

} // namespace

std::string loraTargetName(LoraTarget target)
{
    for (const TargetName& t : kTargetNames)
        if (t.target == target)
            return t.name;
    throw ConfigError("unknown LoRA target");
}

LoraTarget parseLoraTarget(const std::string& name)
{
    for (const TargetName& t : kTargetNames)
        if (name == t.name)
            return t.target;
    throw ConfigError("unknown LoRA target '" + name + "'; use " + allTargetNames() + " (or all)");
}

std::set<LoraTarget> parseLoraTargets(const std::string& list)
{
    std::set<LoraTarget> targets;
    if (trimmed(list) == "all") {
        for (const TargetName& t : kTargetNames)
            targets.insert(t.target);
        return targets;
    }
    std::istringstream in(list);
    for (std::string name; std::getline(in, name, ',');)
        targets.insert(parseLoraTarget(trimmed(name)));
    require(!targets.empty(), "targets must name at least one layer kind: " + allTargetNames());
    return targets;
}

nlohmann::json LoraOptions::toJson() const
{
    nlohmann::json names = nlohmann::json::array();
    for (LoraTarget t : targets)
        names.push_back(loraTargetName(t));
    return {{"r", rank}, {"lora_alpha", alpha}, {"lora_dropout", dropout}, {"targets", names}};
}

LoraOptions LoraOptions::fromJson(const nlohmann::json& j)
{
    LoraOptions o;
    try {
        o.rank = j.value("r", o.rank);
        o.alpha = j.value("lora_alpha", o.alpha);
        o.dropout = j.value("lora_dropout", o.dropout);
        if (j.contains("targets")) {
            o.targets.clear();
            for (const auto& name : j.at("targets"))
                o.targets.insert(parseLoraTarget(name.get<std::string>()));
        }
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("LoRA settings: ") + e.what());
    }
    o.validate();
    return o;
}

void LoraOptions::validate() const
{
    require(rank >= 1 && rank <= 1024, "rank must be from 1 to 1024");
    require(std::isfinite(alpha) && alpha > 0, "alpha must be positive");
    require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1)");
    require(!targets.empty(), "targets must name at least one layer kind: " + allTargetNames());
}

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
    for (const TargetName& t : kTargetNames)
        for (const LoraSite& site : loraSites(model, {t.target}))
            if (LoraAdapter adapter = site.linear->findAdapter(site.part)) {
                options.targets.insert(t.target);
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
