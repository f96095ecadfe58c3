#include "core/model/gpt_config.h"

#include "core/util/error.h"

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>

namespace sft {

namespace {

// Beyond these a config is a typo or a hostile file, not a GPT-2; checked before any size is
// multiplied so parameterCount() cannot overflow.
constexpr int64_t kMaxVocab = int64_t(1) << 24;
constexpr int64_t kMaxContext = int64_t(1) << 20;
constexpr int64_t kMaxEmbDim = int64_t(1) << 16;
constexpr int64_t kMaxLayers = int64_t(1) << 12;
constexpr int64_t kMaxParameters = int64_t(10'000'000'000); // 40 GB in float32

GptConfig openAiSize(int64_t embDim, int64_t nLayers, int64_t nHeads)
{
    GptConfig c;
    c.embDim = embDim;
    c.nLayers = nLayers;
    c.nHeads = nHeads;
    return c;
}

void checkRange(const char* what, int64_t value, int64_t max)
{
    if (value < 1 || value > max)
        throw ConfigError(std::string(what) + " is " + std::to_string(value) + "; it must be between 1 and " +
                          std::to_string(max));
}

const nlohmann::json* findKey(const nlohmann::json& j, std::initializer_list<const char*> keys)
{
    for (const char* key : keys) {
        auto it = j.find(key);
        if (it != j.end() && !it->is_null())
            return &*it;
    }
    return nullptr;
}

std::string keyList(std::initializer_list<const char*> keys)
{
    std::string list;
    for (const char* key : keys)
        list += (list.empty() ? "'" : " or '") + std::string(key) + "'";
    return list;
}

int64_t requiredInt(const nlohmann::json& j, std::initializer_list<const char*> keys)
{
    const nlohmann::json* v = findKey(j, keys);
    if (!v)
        throw WeightsError("model config has no " + keyList(keys));
    if (!v->is_number_integer())
        throw WeightsError("model config field " + keyList(keys) + " must be an integer, not " + v->dump());
    // Read as int64_t, a value above its range would wrap into a small negative one.
    if (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
        throw WeightsError("model config field " + keyList(keys) + " is " + v->dump() + ", beyond any model's size");
    return v->get<int64_t>();
}

double optionalReal(const nlohmann::json& j, const char* key, double fallback)
{
    const nlohmann::json* v = findKey(j, {key});
    if (!v)
        return fallback;
    if (!v->is_number())
        throw WeightsError(std::string("model config field '") + key + "' must be a number, not " + v->dump());
    return v->get<double>();
}

bool optionalBool(const nlohmann::json& j, const char* key, bool fallback)
{
    const nlohmann::json* v = findKey(j, {key});
    if (!v)
        return fallback;
    if (!v->is_boolean())
        throw WeightsError(std::string("model config field '") + key + "' must be true or false, not " + v->dump());
    return v->get<bool>();
}

// Fields that would make a Hugging Face config compute something other than the book's GPT-2.
void rejectOtherArchitectures(const nlohmann::json& j, int64_t embDim)
{
    if (const nlohmann::json* type = findKey(j, {"model_type"}); type && *type != "gpt2")
        throw WeightsError("model_type is " + type->dump() + "; SFT Studio runs GPT-2 models (model_type \"gpt2\")");
    if (const nlohmann::json* act = findKey(j, {"activation_function"});
        act && *act != "gelu_new" && *act != "gelu_pytorch_tanh")
        throw WeightsError("activation_function " + act->dump() +
                           " is not supported; GPT-2 uses the tanh GELU (\"gelu_new\")");
    if (const nlohmann::json* inner = findKey(j, {"n_inner"});
        inner && !(inner->is_number_integer() && inner->get<int64_t>() == 4 * embDim))
        throw WeightsError("n_inner " + inner->dump() + " is not supported; GPT-2's MLP is 4 x n_embd wide");
}

} // namespace

GptConfig GptConfig::preset(const std::string& name)
{
    if (name == "gpt2-small")
        return openAiSize(768, 12, 12);
    if (name == "gpt2-medium")
        return openAiSize(1024, 24, 16);
    if (name == "gpt2-large")
        return openAiSize(1280, 36, 20);
    if (name == "gpt2-xl")
        return openAiSize(1600, 48, 25);
    if (name == "tiny") {
        GptConfig c = openAiSize(32, 2, 2);
        c.contextLength = 256;
        return c;
    }
    throw ConfigError("unknown model size '" + name + "'; use gpt2-small, gpt2-medium, gpt2-large, gpt2-xl or tiny");
}

// Reads Hugging Face's config.json, the book's GPT_CONFIG dict and OpenAI's hparams.json.
GptConfig GptConfig::fromHfJson(const nlohmann::json& j)
{
    if (!j.is_object())
        throw WeightsError("model config must be a JSON object, not " + std::string(j.type_name()));
    const bool bookKeys = j.contains("emb_dim");
    GptConfig c;
    c.embDim = requiredInt(j, {"n_embd", "emb_dim"});
    c.nLayers = requiredInt(j, {"n_layer", "n_layers"});
    c.nHeads = requiredInt(j, {"n_head", "n_heads"});
    c.contextLength = requiredInt(j, {"n_positions", "n_ctx", "context_length"});
    c.vocabSize = requiredInt(j, {"vocab_size", "n_vocab"});
    c.layerNormEps = optionalReal(j, "layer_norm_epsilon", 1e-5);
    // HF's *_pdrop belong to the original pretraining run; the chapter fine-tunes with drop 0.
    c.dropRate = optionalReal(j, "drop_rate", 0.0);
    c.qkvBias = optionalBool(j, "qkv_bias", true);
    // The book's model has its own head; HF and OpenAI GPT-2 share wte with the head.
    c.tieEmbeddings = optionalBool(j, "tie_word_embeddings", !bookKeys);
    rejectOtherArchitectures(j, c.embDim);
    try {
        c.validate();
    } catch (const ConfigError& e) {
        throw WeightsError(std::string("invalid model config: ") + e.what());
    }
    return c;
}

nlohmann::json GptConfig::toHfJson() const
{
    return {
        {"model_type", "gpt2"},
        {"architectures", {"GPT2LMHeadModel"}},
        {"vocab_size", vocabSize},
        {"n_positions", contextLength},
        {"n_ctx", contextLength},
        {"n_embd", embDim},
        {"n_layer", nLayers},
        {"n_head", nHeads},
        {"n_inner", nullptr},
        {"activation_function", "gelu_new"},
        {"layer_norm_epsilon", layerNormEps},
        {"resid_pdrop", dropRate},
        {"embd_pdrop", dropRate},
        {"attn_pdrop", dropRate},
        // The book's keys: HF ignores them, and they carry what HF's GPT-2 cannot express.
        {"drop_rate", dropRate},
        {"qkv_bias", qkvBias},
        {"initializer_range", 0.02},
        {"scale_attn_weights", true},
        {"scale_attn_by_inverse_layer_idx", false},
        {"reorder_and_upcast_attn", false},
        {"summary_type", "cls_index"},
        {"summary_use_proj", true},
        {"summary_activation", nullptr},
        {"summary_proj_to_labels", true},
        {"summary_first_dropout", 0.1},
        {"use_cache", true},
        {"bos_token_id", 50256},
        {"eos_token_id", 50256},
        {"tie_word_embeddings", false}, // saved with its own lm_head.weight
        {"torch_dtype", "float32"},
    };
}

int64_t GptConfig::parameterCount() const
{
    const int64_t d = embDim;
    const int64_t attention = 4 * d * d + d + (qkvBias ? 3 * d : 0);
    const int64_t mlp = 8 * d * d + 5 * d;
    const int64_t block = attention + mlp + 4 * d; // + ln_1, ln_2
    const int64_t embeddings = vocabSize * d + contextLength * d;
    const int64_t headOwn = tieEmbeddings ? 0 : vocabSize * d;
    return embeddings + nLayers * block + 2 * d + headOwn;
}

void GptConfig::validate() const
{
    checkRange("vocab size", vocabSize, kMaxVocab);
    checkRange("context length", contextLength, kMaxContext);
    checkRange("embedding size", embDim, kMaxEmbDim);
    checkRange("layer count", nLayers, kMaxLayers);
    checkRange("head count", nHeads, embDim);
    if (embDim % nHeads != 0)
        throw ConfigError("embedding size " + std::to_string(embDim) + " is not divisible by the head count " +
                          std::to_string(nHeads));
    if (!(dropRate >= 0.0 && dropRate < 1.0))
        throw ConfigError("drop rate " + std::to_string(dropRate) + " must be in [0, 1)");
    if (!(layerNormEps > 0.0 && layerNormEps < 1.0))
        throw ConfigError("layer norm epsilon " + std::to_string(layerNormEps) + " must be in (0, 1)");
    // The model is never tied in memory, so that is what it would have to allocate.
    GptConfig untied = *this;
    untied.tieEmbeddings = false;
    if (const int64_t n = untied.parameterCount(); n > kMaxParameters) {
        char size[128];
        std::snprintf(size, sizeof size, "%.2f billion parameters (%.1f GB in float32)", double(n) / 1e9,
                      double(n) * 4 / 1e9);
        throw ConfigError("this model would have " + std::string(size) + "; the limit is " +
                          std::to_string(kMaxParameters / 1'000'000'000) + " billion");
    }
}

} // namespace sft
