#pragma once
// LibTorch's intra-op parallelism. Debian's OpenMP starts with one thread; without this every
// matrix product runs on a single core. Threads started later (GUI workers) inherit the value.
// One rank of several on this machine takes its share (SFT_STUDIO_THREADS, or the cores over
// torchrun's LOCAL_WORLD_SIZE).

namespace sft {

void useAllCores();

} // namespace sft
