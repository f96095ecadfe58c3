#pragma once
// GPT-2's activation, GELU with the tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// For bf16 activations on the CPU, LibTorch 1.13's kernel rounds every intermediate result to
// bf16 and runs 2.5x slower than its fp32 kernel (bench_train_precision's profile); here a bf16
// tensor is read once, computed in fp32 registers as x sigmoid(2u) (the same function, without
// the cancellation of 1 + tanh(u) near -1) and rounded once, forward and backward, with AVX2.
// Everything else goes to torch::gelu.

#include <torch/types.h>

namespace sft {

torch::Tensor geluTanh(const torch::Tensor& x);

} // namespace sft
