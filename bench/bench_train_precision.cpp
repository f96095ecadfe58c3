// bf16 autocast against fp32 on a gpt2-small-shaped training step (batch 8 x 64 tokens, AdamW,
// fp32 master weights in both): the median step time of each, their ratio, and how far the
// bf16 run's loss is from the fp32 run's after the same steps on the same batches.
// Prints one JSON line. Usage: bench_train_precision [steps=20]

#include "core/data/batcher.h"
#include "core/model/gpt.h"
#include "core/train/gradient_accumulation.h"
#include "core/train/precision.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

struct Trace {
    std::vector<double> seconds;
    std::vector<double> losses;
};

Trace trainSteps(sft::Precision precision, const std::vector<sft::Batch>& batches)
{
    sft::Gpt model(sft::GptConfig::preset("gpt2-small"));
    model->initWeights(0);
    model->train();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(5e-5).weight_decay(0.1));
    Trace trace;
    for (const sft::Batch& batch : batches) {
        const auto start = std::chrono::steady_clock::now();
        optimizer.zero_grad();
        trace.losses.push_back(sft::accumulateGradients(model, {batch}, true, precision));
        optimizer.step();
        trace.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        std::fprintf(stderr, "%s step %zu: loss %.5f, %.2f s\n", sft::precisionName(precision), trace.losses.size(),
                     trace.losses.back(), trace.seconds.back());
    }
    return trace;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    const int64_t batch = 8, length = 64;
    const int steps = argc > 1 ? std::max(2, std::atoi(argv[1])) : 20;
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    torch::manual_seed(0);
    std::vector<sft::Batch> batches;
    for (int i = 0; i < steps; ++i) {
        const torch::Tensor tokens = torch::randint(0, 50257, {batch, length + 1}, torch::kLong);
        batches.push_back({tokens.slice(1, 0, length).contiguous(), tokens.slice(1, 1).contiguous()});
    }
    const Trace fp32 = trainSteps(sft::Precision::Fp32, batches);
    const Trace bf16 = trainSteps(sft::Precision::Bf16, batches);
    // The first step pays for allocations and casts once; the median of the rest is the speed.
    auto steady = [](const Trace& t) { return median(std::vector<double>(t.seconds.begin() + 1, t.seconds.end())); };
    std::printf("{\"threads\": %d, \"native_bf16\": %s, \"steps\": %d, \"fp32_step_s\": %.3f, \"bf16_step_s\": %.3f, "
                "\"bf16_over_fp32_time\": %.2f, \"fp32_loss\": %.5f, \"bf16_loss\": %.5f, \"loss_difference\": %.5f}\n",
                torch::get_num_threads(), sft::cpuHasNativeBf16() ? "true" : "false", steps, steady(fp32), steady(bf16),
                steady(bf16) / steady(fp32), fp32.losses.back(), bf16.losses.back(),
                bf16.losses.back() - fp32.losses.back());
    return 0;
}
