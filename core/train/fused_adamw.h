#pragma once
// AdamW whose update of a parameter is one pass over its memory. torch::optim::AdamW::step runs
// about eight elementwise kernels per parameter, each a full read and write of a model-sized
// tensor; on a CPU that is memory-bound work of ~0.7 s per gpt2-small step (AdamW keeps 4 floats
// per weight). Same options, state and checkpoint format as torch::optim::AdamW (it is one), so
// torch::save/load and resume are unchanged; the update per element is the same arithmetic in
// the same order, equal to torch's within float rounding (torch's kernels may fuse a multiply-add).

#include <torch/optim/adamw.h>

#include <optional>

namespace sft {

class FusedAdamW : public torch::optim::AdamW {
public:
    using torch::optim::AdamW::AdamW;

    // Float32 contiguous CPU parameters without amsgrad take the fused path; any other
    // optimizer falls back to torch's step as a whole.
    torch::Tensor step(LossClosure closure = nullptr) override;
    // The global L2 norm of the gradients the last step read, measured in its pass over them
    // (what clip_grad_norm_ reports, without a pass of its own); none after a step torch's way.
    std::optional<double> lastGradientNorm() const { return lastGradientNorm_; }

private:
    bool fusible() const;
    torch::optim::AdamWParamState& stateOf(const torch::Tensor& parameter);

    std::optional<double> lastGradientNorm_;
};

} // namespace sft
