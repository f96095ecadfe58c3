#pragma once
// What the processor can run, for the kernels that have an AVX2 + FMA path beside a portable one
// (near-duplicate scoring, the fused AdamW's gradient norm, the bf16 GELU, decoding's products).

namespace sft {

// AVX2 and FMA, asked once. A plain test rather than an ifunc, which runs before sanitizers'
// runtimes are ready.
bool cpuHasAvx2Fma();

} // namespace sft
