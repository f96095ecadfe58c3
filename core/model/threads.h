#pragma once
// LibTorch's intra-op parallelism. Debian's OpenMP starts with one thread; without this every
// matrix product runs on a single core. Threads started later (GUI workers) inherit the value.

namespace sft {

void useAllCores();

} // namespace sft
