#pragma once
// Attention for one new query per sequence against its cached keys: each step of decoding.
// torch's matmul runs it as a batched product of [1, hd] x [hd, Tk] per (sequence, head); for
// such slivers its CPU bmm loops over the batch, slicing three tensors per head, and the loop
// costs more than the arithmetic (a fifth of a 4-row gpt2-small step). Here each (sequence,
// head) is one pass over its keys and values, on all intra-op threads.

#include <torch/types.h>

namespace sft {

// softmax(q k^T * scale, masked) v for q [B, H, 1, hd], k and v [B, H, Tk, hd] (the cache's
// views), and keyValid [B, Tk] (undefined: every key valid; the newest key is always visible,
// as in the full mask). Returns [B, H, 1, hd] when it is such a case (fp32 on the CPU, no
// gradient wanted, AVX2 and FMA present), an undefined tensor otherwise.
torch::Tensor decodeAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const torch::Tensor& keyValid, double scale);

} // namespace sft
