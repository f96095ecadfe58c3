#pragma once
// LoRA fine-tuning (the chapter's exercise 7.4): low-rank adapters on chosen linear layers of a
// GPT-2 model, with every base weight frozen, so only r * (in + out) numbers per adapted matrix
// are trained and need gradients and optimizer moments.

#include "core/model/gpt.h"
#include "core/model/lora_options.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace sft {

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

// The base model while alive: every adapter of `model` is skipped in forward, as PEFT's
// disable_adapter(). DPO with LoRA takes its reference model so, without a second copy.
class AdaptersDisabled {
public:
    explicit AdaptersDisabled(Gpt& model);
    ~AdaptersDisabled();
    AdaptersDisabled(const AdaptersDisabled&) = delete;
    AdaptersDisabled& operator=(const AdaptersDisabled&) = delete;

private:
    std::vector<LoraLinearImpl*> layers_;
};

// The adapters' parameter count from the shapes alone: rank * (in + out) per adapted matrix.
int64_t loraParameterCount(const GptConfig& config, const LoraOptions& options);
int64_t trainableParameterCount(const Gpt& model); // parameters that require grad
int64_t totalParameterCount(const Gpt& model);     // base and adapters

} // namespace sft
