// One AdamW training step of a gpt2-small-shaped model on a batch of 8 x 64 tokens, fp32, and
// the machine's fp32 matrix-multiply peak measured in the same process: the step's model FLOP
// utilisation is its FLOP/s over that peak. Prints one JSON line; bench/bench_train_step.sh runs
// the Python reference beside it.

#include "core/data/batcher.h"
#include "core/model/gpt.h"
#include "core/train/fused_adamw.h"
#include "core/train/loss.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

double medianOf(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// The best FLOP/s of square fp32 matrix products (the sizes where BLAS reaches its peak).
double gemmPeakGflops()
{
    double best = 0;
    for (int64_t n : {1024, 2048, 3072}) {
        const torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
        torch::Tensor c = torch::matmul(a, b);
        std::vector<double> seconds;
        for (int i = 0; i < 5; ++i) {
            const auto start = std::chrono::steady_clock::now();
            torch::matmul_out(c, a, b);
            seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        best = std::max(best, 2.0 * double(n * n * n) / medianOf(seconds) / 1e9);
    }
    return best;
}

} // namespace

int main(int argc, char** argv)
{
    const int64_t batch = 8, length = 64;
    const int steps = argc > 1 ? std::atoi(argv[1]) : 10;
    const int warmup = 2;
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    torch::manual_seed(0);

    sft::Gpt model(sft::GptConfig::preset("gpt2-small"));
    model->initWeights(0);
    model->train();
    sft::FusedAdamW optimizer(model->parameters(), torch::optim::AdamWOptions(5e-5).weight_decay(0.1));
    const torch::Tensor tokens = torch::randint(0, 50257, {batch, length + 1}, torch::kLong);
    const sft::Batch data{tokens.slice(1, 0, length).contiguous(), tokens.slice(1, 1).contiguous()};

    std::vector<double> seconds;
    for (int i = 0; i < warmup + steps; ++i) {
        const auto start = std::chrono::steady_clock::now();
        optimizer.zero_grad();
        torch::Tensor loss = sft::batchLoss(model, data);
        loss.backward();
        optimizer.step();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (i >= warmup)
            seconds.push_back(s);
    }
    const double median = medianOf(seconds);
    // 6 * params * tokens for the matmul-bearing parameters (forward + backward), plus attention.
    const sft::GptConfig c = model->config();
    const double matmulParams = double(c.nLayers) * 12.0 * double(c.embDim * c.embDim) + double(c.vocabSize * c.embDim);
    const double attention = double(c.nLayers) * 12.0 * double(c.embDim) * double(length);
    const double flops = 6.0 * matmulParams * double(batch * length) + attention * double(batch * length);
    const double gflops = flops / median / 1e9, peak = gemmPeakGflops();
    std::printf("{\"impl\": \"sft-studio (C++)\", \"threads\": %d, \"median_step_s\": %.4f, \"tokens_per_s\": %.1f, "
                "\"gflops\": %.1f, \"gemm_peak_gflops\": %.1f, \"mfu\": %.3f}\n",
                torch::get_num_threads(), median, double(batch * length) / median, gflops, peak, gflops / peak);
    return 0;
}
