#include "core/model/lora_linear.h"

#include "core/model/skinny_linear.h"
#include "core/model/weights_to_load.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <cmath>

namespace sft {

namespace {
// Submodule names may not be empty or hold dots.
std::string adapterModuleName(const std::string& part) { return part.empty() ? "lora" : "lora_" + part; }
} // namespace

LoraAdapterImpl::LoraAdapterImpl(int64_t in, int64_t out, int64_t offset, const LoraShape& shape,
                                 at::Generator& gen, const torch::TensorOptions& options)
    : offset_(offset), shape_(shape)
{
    // kaiming_uniform_(a = sqrt 5) on [rank, in] is uniform(-1/sqrt(in), 1/sqrt(in)). Drawn on
    // the CPU from the caller's generator so a seed gives the same adapters on any device.
    const double bound = 1.0 / std::sqrt(double(in));
    const torch::Tensor a = torch::empty({shape.rank, in}, torch::kFloat).uniform_(-bound, bound, gen);
    lora_A = register_parameter("lora_A", a.to(options));
    lora_B = register_parameter("lora_B", torch::zeros({out, shape.rank}, options));
}

torch::Tensor LoraAdapterImpl::forward(const torch::Tensor& x, bool training)
{
    const torch::Tensor input = (training && shape_.dropout > 0) ? torch::dropout(x, shape_.dropout, true) : x;
    return torch::nn::functional::linear(torch::nn::functional::linear(input, lora_A), lora_B) *
           (shape_.alpha / double(shape_.rank));
}

torch::Tensor LoraAdapterImpl::weightDelta() const
{
    return torch::matmul(lora_B, lora_A) * (shape_.alpha / double(shape_.rank));
}

LoraLinearImpl::LoraLinearImpl(const torch::nn::LinearOptions& options) : options_(options)
{
    // What torch::nn::Linear registers and draws, in the same order, so a model built under a
    // seed gets the same weights as before this layer replaced Linear.
    weight = register_parameter("weight", torch::empty({options.out_features(), options.in_features()}));
    bias = options.bias() ? register_parameter("bias", torch::empty(options.out_features()))
                          : register_parameter("bias", {}, /*requires_grad=*/false);
    if (WeightsToLoad::active())
        return;
    torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    if (bias.defined()) {
        const double bound = 1.0 / std::sqrt(double(options.in_features()));
        torch::nn::init::uniform_(bias, -bound, bound);
    }
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x)
{
    torch::Tensor y = skinnyLinear(x, weight, bias);
    if (!y.defined())
        y = torch::nn::functional::linear(x, weight, bias);
    if (!adaptersEnabled_)
        return y;
    // In place, band by band: autograd records the add on the slice, and no second output-sized
    // tensor is made (the linear's backward does not need its output).
    for (auto& [part, adapter] : adapters_) {
        const torch::Tensor delta = adapter->forward(x, is_training());
        y.narrow(-1, adapter->offset(), delta.size(-1)).add_(delta);
    }
    return y;
}

LoraAdapter LoraLinearImpl::addAdapter(const std::string& part, int64_t offset, int64_t size,
                                       const LoraShape& shape, at::Generator& gen)
{
    const std::string name = adapterModuleName(part);
    if (findAdapter(part))
        throw ConfigError("this layer already has a LoRA adapter" + (part.empty() ? "" : " for " + part));
    if (offset < 0 || size < 1 || offset + size > options_.out_features())
        throw ConfigError("a LoRA adapter must cover output rows inside the layer's " +
                          std::to_string(options_.out_features()));
    if (shape.rank < 1)
        throw ConfigError("LoRA rank must be at least 1");
    LoraAdapter adapter(options_.in_features(), size, offset, shape, gen, weight.options());
    adapters_.emplace_back(part, register_module(name, adapter));
    return adapter;
}

LoraAdapter LoraLinearImpl::findAdapter(const std::string& part) const
{
    for (const auto& [name, adapter] : adapters_)
        if (name == part)
            return adapter;
    return LoraAdapter(nullptr);
}

torch::Tensor LoraLinearImpl::mergedWeight() const
{
    if (adapters_.empty())
        return weight.detach();
    torch::NoGradGuard noGrad;
    torch::Tensor merged = weight.detach().clone();
    for (const auto& [part, adapter] : adapters_)
        merged.narrow(0, adapter->offset(), adapter->lora_B.size(0)).add_(adapter->weightDelta());
    return merged;
}

void LoraLinearImpl::mergeAdapters()
{
    if (adapters_.empty())
        return;
    const torch::Tensor merged = mergedWeight();
    torch::NoGradGuard noGrad;
    weight.copy_(merged);
    for (const auto& [part, adapter] : adapters_)
        unregister_module(adapterModuleName(part));
    adapters_.clear();
}

} // namespace sft
