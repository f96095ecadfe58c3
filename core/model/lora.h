#pragma once
// LoRA fine-tuning (the chapter's exercise 7.4): low-rank adapters on chosen linear layers of a
// GPT-2 model, with every base weight frozen, so only r * (in + out) numbers per adapted matrix
// are trained and need gradients and optimizer moments.

#include "core/model/gpt.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace sft {

// Query, Key, Value: the three d -> d bands of the fused attn.c_attn, adapted separately.
// AttentionOut: attn.c_proj. FeedForward: mlp.c_fc and mlp.c_proj. Head: lm_head.
enum class LoraTarget { Query, Key, Value, AttentionOut, FeedForward, Head };

std::string loraTargetName(LoraTarget target); // q, k, v, attn_out, ffn, head
// Throws ConfigError listing the names.
LoraTarget parseLoraTarget(const std::string& name);
// A comma-separated list of names ("q,v"), or "all".
std::set<LoraTarget> parseLoraTargets(const std::string& list);

struct LoraOptions {
    int64_t rank = 8;
    double alpha = 16; // updates are scaled by alpha / rank
    double dropout = 0.05;
    std::set<LoraTarget> targets{LoraTarget::Query, LoraTarget::Value};

    // {"r", "lora_alpha", "lora_dropout", "targets": ["q", "v"]}: PEFT's keys where PEFT has one.
    nlohmann::json toJson() const;
    static LoraOptions fromJson(const nlohmann::json& j); // ConfigError when malformed or invalid
    void validate() const;                                 // ConfigError
};

// One adapted matrix: a whole LoraLinear, or one band of c_attn.
struct LoraSite {
    std::string module; // Hugging Face module name: "h.3.attn.c_attn", "lm_head"
    std::string part;   // "q", "k" or "v" for a band of c_attn, else empty
    LoraLinearImpl* linear;
    int64_t offset; // first output row
    int64_t size;   // output rows
};
// Where `targets` put adapters, layer by layer, in a fixed order.
std::vector<LoraSite> loraSites(Gpt& model, const std::set<LoraTarget>& targets);

// Freezes every parameter of `model` and adds adapters (A drawn from `seed`, B zero, so the
// model's output is unchanged). Returns the adapters' parameters, the ones to optimise.
// ConfigError when the options are invalid or the model already has adapters.
std::vector<torch::Tensor> addLora(Gpt& model, const LoraOptions& options, uint64_t seed);
bool hasLora(const Gpt& model);
std::vector<torch::Tensor> loraParameters(const Gpt& model);
// The options the model's adapters were made with; ConfigError when it has none.
LoraOptions loraOptionsOf(Gpt& model);
// Adds every adapter's update into its weight, removes the adapters and makes every parameter
// trainable again: a plain model that computes what the adapted one did.
void mergeLora(Gpt& model);

// The adapters' parameter count from the shapes alone: rank * (in + out) per adapted matrix.
int64_t loraParameterCount(const GptConfig& config, const LoraOptions& options);
int64_t trainableParameterCount(const Gpt& model); // parameters that require grad
int64_t totalParameterCount(const Gpt& model);     // base and adapters

} // namespace sft
