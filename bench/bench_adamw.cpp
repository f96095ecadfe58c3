// The optimizer step of a gpt2-small-shaped model (163 M weights, the chapter's untied head),
// fp32: torch::optim::AdamW (the C++ twin of the chapter's torch.optim.AdamW on CPU, one
// elementwise kernel after another) against FusedAdamW, same weights and gradients, same
// process. Prints the median seconds of each and the ratio.

#include "core/model/gpt.h"
#include "core/train/fused_adamw.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

double medianStepSeconds(torch::optim::Optimizer& optimizer, int steps)
{
    std::vector<double> seconds;
    for (int i = 0; i < steps + 1; ++i) {
        const auto start = std::chrono::steady_clock::now();
        optimizer.step();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (i > 0) // the first step allocates the moments
            seconds.push_back(s);
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[seconds.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    const int steps = argc > 1 ? std::atoi(argv[1]) : 5;
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    torch::manual_seed(0);
    sft::Gpt model(sft::GptConfig::preset("gpt2-small"));
    int64_t weights = 0;
    for (auto& p : model->parameters()) {
        p.mutable_grad() = torch::randn_like(p);
        weights += p.numel();
    }
    const auto options = torch::optim::AdamWOptions(5e-5).weight_decay(0.1);
    torch::optim::AdamW reference(model->parameters(), options);
    const double torchSeconds = medianStepSeconds(reference, steps);
    sft::FusedAdamW fused(model->parameters(), options);
    const double fusedSeconds = medianStepSeconds(fused, steps);
    std::printf("{\"impl\": \"torch::optim::AdamW\", \"weights\": %lld, \"threads\": %d, \"median_step_s\": %.4f}\n",
                (long long)weights, torch::get_num_threads(), torchSeconds);
    std::printf("{\"impl\": \"sft-studio FusedAdamW\", \"weights\": %lld, \"threads\": %d, \"median_step_s\": %.4f}\n",
                (long long)weights, torch::get_num_threads(), fusedSeconds);
    std::printf("ratio torch/fused step time: %.2f\n", torchSeconds / fusedSeconds);
    return 0;
}
