#pragma once
// A Linear layer that can carry LoRA adapters (Hu et al. 2021, as PEFT implements it). Its own
// parameters are `weight` [out, in] and `bias` [out], registered under those names exactly as
// torch::nn::Linear does, so the model's parameter names and every `->weight` use stay the same.
// An adapter adds scale * B A to a band of output rows: the whole output, or one of q, k, v of
// GPT-2's fused c_attn, which is why an adapter has an offset rather than always covering all.

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/options/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sft {

struct LoraShape {
    int64_t rank = 8;
    double alpha = 16;   // the update is scaled by alpha / rank
    double dropout = 0;  // on the adapter's input only, while training
};

// scale * B(A(dropout(x))) for output rows [offset, offset + out) of the layer it belongs to.
class LoraAdapterImpl : public torch::nn::Module {
public:
    // A is drawn kaiming-uniform (a = sqrt 5, PEFT's choice) from `gen`, B is zero, so a fresh
    // adapter changes nothing. Both get `options` (the layer weight's dtype and device).
    LoraAdapterImpl(int64_t in, int64_t out, int64_t offset, const LoraShape& shape, at::Generator& gen,
                    const torch::TensorOptions& options);

    torch::Tensor forward(const torch::Tensor& x, bool training); // [..., in] -> [..., out]
    torch::Tensor weightDelta() const;                             // scale * B @ A, [out, in]

    int64_t offset() const { return offset_; }
    const LoraShape& shape() const { return shape_; }

    torch::Tensor lora_A; // [rank, in]
    torch::Tensor lora_B; // [out, rank]
private:
    int64_t offset_;
    LoraShape shape_;
};
TORCH_MODULE(LoraAdapter);

class LoraLinearImpl : public torch::nn::Module {
public:
    explicit LoraLinearImpl(const torch::nn::LinearOptions& options);
    LoraLinearImpl(int64_t in, int64_t out) : LoraLinearImpl(torch::nn::LinearOptions(in, out)) {}

    torch::Tensor forward(const torch::Tensor& x);

    // Adds an adapter on output rows [offset, offset + size). `part` names the band ("q", "k",
    // "v" of a fused projection) or is empty for the whole output; one adapter per part.
    LoraAdapter addAdapter(const std::string& part, int64_t offset, int64_t size, const LoraShape& shape,
                           at::Generator& gen);
    // (part, adapter) in the order added.
    const std::vector<std::pair<std::string, LoraAdapter>>& adapters() const { return adapters_; }
    LoraAdapter findAdapter(const std::string& part) const; // empty holder when there is none
    // weight with every adapter's update added, detached from autograd; weight's own storage
    // when there are no adapters.
    torch::Tensor mergedWeight() const;
    // Adds the updates into weight and removes the adapters.
    void mergeAdapters();
    // While off, forward computes the base layer alone (the adapters stay, untouched).
    void setAdaptersEnabled(bool on) { adaptersEnabled_ = on; }

    const torch::nn::LinearOptions& options() const { return options_; }

    torch::Tensor weight; // [out, in]
    torch::Tensor bias;   // [out], undefined without bias
private:
    torch::nn::LinearOptions options_;
    std::vector<std::pair<std::string, LoraAdapter>> adapters_;
    bool adaptersEnabled_ = true;
};
TORCH_MODULE(LoraLinear);

} // namespace sft
