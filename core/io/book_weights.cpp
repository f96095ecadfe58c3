#include "core/io/book_weights.h"

#include "core/io/weight_walk.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <initializer_list>
#include <optional>

namespace sft {

namespace {

const char* const kBlockPrefix = "trf_blocks.";

int64_t gpt2HeadsForWidth(int64_t embDim)
{
    switch (embDim) {
    case 768: return 12;
    case 1024: return 16;
    case 1280: return 20;
    case 1600: return 25;
    default: return 0;
    }
}

torch::IntArrayRef matrixShape(const TensorMap& tensors, const std::string& name, const std::string& file)
{
    const auto it = tensors.find(name);
    if (it == tensors.end() || it->second.dim() != 2)
        throw WeightsError(file + " has no two-dimensional '" + name +
                           "', which the book's GPTModel has; it holds another model");
    return it->second.sizes();
}

// One past the highest N of the trf_blocks.N.* names.
int64_t blockCount(const TensorMap& tensors)
{
    int64_t count = 0;
    for (auto it = tensors.lower_bound(kBlockPrefix); it != tensors.end() && it->first.rfind(kBlockPrefix, 0) == 0;
         ++it) {
        const std::string rest = it->first.substr(std::string(kBlockPrefix).size());
        const size_t digits = rest.find_first_not_of("0123456789");
        if (digits != 0 && digits != std::string::npos && digits <= 6)
            count = std::max<int64_t>(count, std::stoll(rest.substr(0, digits)) + 1);
    }
    return count;
}

std::optional<int64_t> intField(const nlohmann::json& j, std::initializer_list<const char*> keys,
                                const std::string& configPath)
{
    for (const char* key : keys) {
        const auto it = j.find(key);
        if (it == j.end() || it->is_null())
            continue;
        if (!it->is_number_integer())
            throw WeightsError(configPath + ": '" + key + "' must be an integer, not " + it->dump());
        return it->get<int64_t>();
    }
    return std::nullopt;
}

void applyConfigJson(GptConfig& c, const nlohmann::json& j, const std::string& file, const std::string& configPath)
{
    if (!j.is_object())
        throw WeightsError(configPath + " must hold a JSON object");
    const struct {
        std::initializer_list<const char*> keys;
        int64_t fromTensors;
    } sizes[] = {{{"emb_dim", "n_embd"}, c.embDim},
                 {{"n_layers", "n_layer"}, c.nLayers},
                 {{"vocab_size", "n_vocab"}, c.vocabSize},
                 {{"context_length", "n_positions", "n_ctx"}, c.contextLength}};
    for (const auto& size : sizes)
        if (const auto stated = intField(j, size.keys, configPath); stated && *stated != size.fromTensors)
            throw WeightsError(configPath + " says " + *size.keys.begin() + " " + std::to_string(*stated) + " but " +
                               file + " holds " + std::to_string(size.fromTensors) + "; they describe different models");
    if (const auto heads = intField(j, {"n_heads", "n_head"}, configPath))
        c.nHeads = *heads;
    if (const auto eps = j.find("layer_norm_epsilon"); eps != j.end() && eps->is_number())
        c.layerNormEps = eps->get<double>();
}

// W_query, W_key and W_value are the three d-row bands of c_attn, in that order.
void queryKeyValue(std::vector<WeightSlot>& slots, const std::string& prefix, LoraLinear& cAttn)
{
    const int64_t d = cAttn->weight.size(1);
    const char* const names[] = {"W_query", "W_key", "W_value"};
    for (int64_t part = 0; part < 3; ++part) {
        const std::string name = prefix + names[part];
        slots.push_back({name + ".weight", cAttn->weight.detach().narrow(0, part * d, d)});
        if (cAttn->bias.defined())
            slots.push_back({name + ".bias", cAttn->bias.detach().narrow(0, part * d, d)});
    }
}

} // namespace

bool hasBookNames(const TensorMap& tensors) { return tensors.count("tok_emb.weight") > 0; }

GptConfig bookConfig(const TensorMap& tensors, const std::string& file, const nlohmann::json* configJson,
                     const std::string& configPath)
{
    GptConfig c;
    const torch::IntArrayRef tokens = matrixShape(tensors, "tok_emb.weight", file);
    c.vocabSize = tokens[0];
    c.embDim = tokens[1];
    c.contextLength = matrixShape(tensors, "pos_emb.weight", file)[0];
    c.nLayers = blockCount(tensors);
    c.qkvBias = tensors.count("trf_blocks.0.att.W_query.bias") > 0;
    c.tieEmbeddings = false;
    c.nHeads = gpt2HeadsForWidth(c.embDim);
    if (configJson)
        applyConfigJson(c, *configJson, file, configPath);
    if (c.nHeads == 0)
        throw WeightsError("the number of attention heads of " + file + " (emb_dim " + std::to_string(c.embDim) +
                           ", not a GPT-2 size) cannot be read from its weights; put a config.json beside it "
                           "holding {\"n_heads\": N}");
    try {
        c.validate();
    } catch (const ConfigError& e) {
        throw WeightsError(file + ": " + e.what());
    }
    return c;
}

void loadBookWeights(Gpt& model, WeightSource& source)
{
    const auto name = [](WeightPart part, int64_t layer) { return weightName(WeightNames::Book, part, layer); };
    std::vector<WeightSlot> slots;
    walkWeights(model, {[&](WeightPart part, torch::Tensor& weight) {
                            slots.push_back({name(part, -1) + ".weight", weight});
                        },
                        [&](WeightPart part, int64_t layer, LoraLinear& l) {
                            if (part == WeightPart::Attention) {
                                queryKeyValue(slots, name(part, layer), l);
                                source.discard(name(part, layer) + "mask"); // the causal mask, a buffer the book saves
                                return;
                            }
                            slots.push_back({name(part, layer) + ".weight", l->weight});
                            slots.push_back({name(part, layer) + ".bias", l->bias});
                        },
                        [&](WeightPart part, int64_t layer, torch::nn::LayerNorm& n) {
                            slots.push_back({name(part, layer) + ".scale", n->weight});
                            slots.push_back({name(part, layer) + ".shift", n->bias});
                        }});
    source.fillModel(std::move(slots), model, "out_head.weight");
}

} // namespace sft
