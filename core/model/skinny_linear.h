#pragma once
// x W^T + b for a handful of rows of x: decoding, where each step feeds one new token per
// sequence. BLAS first packs W into its panel format, which pays off over many rows; over a few
// it doubles the memory traffic of a product that only has to stream W once (a 4-prompt
// `respond` spent 22% of its time in OpenBLAS's packing). Here each row of W is read once and
// dotted with every row of x at a time, in AVX2 registers, on all intra-op threads.

#include <torch/types.h>

namespace sft {

// The product when it is such a case (fp32 on the CPU, at most 8 rows, no gradient wanted, AVX2
// and FMA present); an undefined tensor otherwise, for torch's linear to compute.
torch::Tensor skinnyLinear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

} // namespace sft
