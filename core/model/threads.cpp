#include "core/model/threads.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace sft {

void useAllCores()
{
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    int threads = cores;
    // A rank of a data-parallel run shares the machine with the other ranks on it: the launcher
    // says its share (train --nproc), or torchrun says how many share it.
    if (const char* given = std::getenv("SFT_STUDIO_THREADS"); given && std::atoi(given) > 0)
        threads = std::atoi(given);
    else if (const char* local = std::getenv("LOCAL_WORLD_SIZE"); local && std::atoi(local) > 0)
        threads = std::max(1, cores / std::atoi(local));
    torch::set_num_threads(threads);
}

} // namespace sft
