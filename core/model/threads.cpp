#include "core/model/threads.h"

#include <torch/torch.h>

#include <algorithm>
#include <thread>

namespace sft {

void useAllCores()
{
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
}

} // namespace sft
