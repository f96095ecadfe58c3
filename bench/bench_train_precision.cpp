// bf16 against fp32 on the app's training step (gpt2-small shape, batch 8 x 64 tokens, the
// head on counted targets, FusedAdamW, fp32 master weights and optimizer state in both), with
// the machine's fp32 and bf16 matrix-multiply peaks measured in the same process:
// - each precision's median step time and its model FLOP utilisation against its own peak;
// - how far the bf16 run's loss is from the fp32 run's after the same steps on the same batches;
// - one more step of each, profiled by operator (self time, by kind and the largest operators).
// Prints one JSON line, then the profiles. Usage: bench_train_precision [steps=20]

#include "bench/op_profile.h"
#include "core/data/batcher.h"
#include "core/model/gpt.h"
#include "core/train/fused_adamw.h"
#include "core/train/gradient_accumulation.h"
#include "core/train/optimizer_setup.h"
#include "core/train/precision.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

using sft::bench::OpTime;

constexpr int64_t kBatch = 8, kLength = 64;

double secondsOf(const std::function<void()>& run)
{
    const auto start = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// The best FLOP/s of square matrix products in this dtype (the sizes where the library peaks).
double gemmPeakGflops(torch::Dtype dtype)
{
    double best = 0;
    for (int64_t n : {1024, 2048, 3072}) {
        const torch::Tensor a = torch::randn({n, n}).to(dtype), b = torch::randn({n, n}).to(dtype);
        torch::Tensor c = torch::matmul(a, b);
        std::vector<double> seconds;
        for (int i = 0; i < 5; ++i)
            seconds.push_back(secondsOf([&] { torch::matmul_out(c, a, b); }));
        best = std::max(best, 2.0 * double(n * n * n) / median(seconds) / 1e9);
    }
    return best;
}

// Forward and backward: 6 FLOPs per matmul weight per token, plus attention's two products.
double stepFlops(const sft::GptConfig& c)
{
    const double matmulParams = double(c.nLayers) * 12.0 * double(c.embDim * c.embDim) + double(c.vocabSize * c.embDim);
    const double attention = double(c.nLayers) * 12.0 * double(c.embDim) * double(kLength);
    return (6.0 * matmulParams + attention) * double(kBatch * kLength);
}

struct Trace {
    std::vector<double> seconds;
    std::vector<double> losses;
    std::vector<OpTime> profile; // of one more step after the timed ones
    double profiledSeconds = 0;
};

double trainStep(sft::Gpt& model, sft::FusedAdamW& optimizer, const sft::Batch& batch, sft::Precision precision)
{
    sft::clearGradients(model->parameters());
    const double loss = sft::accumulateGradients(model, {batch}, true, precision);
    RECORD_USER_SCOPE("sft::FusedAdamW::step");
    optimizer.step();
    return loss;
}

Trace trainSteps(sft::Precision precision, const std::vector<sft::Batch>& batches)
{
    sft::Gpt model(sft::GptConfig::preset("gpt2-small"));
    model->initWeights(0);
    model->train();
    sft::FusedAdamW optimizer(model->parameters(), torch::optim::AdamWOptions(5e-5).weight_decay(0.1));
    Trace trace;
    for (size_t i = 0; i + 1 < batches.size(); ++i) {
        double loss = 0;
        trace.seconds.push_back(secondsOf([&] { loss = trainStep(model, optimizer, batches[i], precision); }));
        trace.losses.push_back(loss);
        std::fprintf(stderr, "%s step %zu: loss %.5f, %.2f s\n", sft::precisionName(precision), i + 1, loss,
                     trace.seconds.back());
    }
    sft::bench::OpProfile profile;
    trace.profiledSeconds = secondsOf([&] { trainStep(model, optimizer, batches.back(), precision); });
    profile.stop();
    trace.profile = profile.byName();
    return trace;
}

void printProfile(const char* title, const Trace& t)
{
    std::printf("\n%s: one step of %.3f s by operator self time (RecordFunction)\n", title, t.profiledSeconds);
    for (const OpTime& c : sft::bench::byCategory(t.profile))
        std::printf("  %-24s %7.3f s %5.1f%%  %6lld calls\n", c.name.c_str(), c.seconds,
                    100 * c.seconds / t.profiledSeconds, (long long)c.calls);
    std::printf("  largest operators:\n");
    for (size_t i = 0; i < std::min<size_t>(12, t.profile.size()); ++i)
        std::printf("    %-52s %7.3f s %5.1f%%  %6lld calls\n", t.profile[i].name.c_str(), t.profile[i].seconds,
                    100 * t.profile[i].seconds / t.profiledSeconds, (long long)t.profile[i].calls);
}

} // namespace

int main(int argc, char** argv)
{
    const int steps = argc > 1 ? std::max(2, std::atoi(argv[1])) : 20;
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    torch::manual_seed(0);
    std::vector<sft::Batch> batches;
    for (int i = 0; i <= steps; ++i) {
        const torch::Tensor tokens = torch::randint(0, 50257, {kBatch, kLength + 1}, torch::kLong);
        batches.push_back({tokens.slice(1, 0, kLength).contiguous(), tokens.slice(1, 1).contiguous()});
    }
    const bool native = sft::cpuHasNativeBf16();
    const double fp32Peak = gemmPeakGflops(torch::kFloat32), bf16Peak = gemmPeakGflops(torch::kBFloat16);
    const Trace fp32 = trainSteps(sft::Precision::Fp32, batches);
    const Trace bf16 = trainSteps(sft::Precision::Bf16, batches);
    // The first step pays for allocations once; the median of the rest is the speed.
    auto steady = [](const Trace& t) { return median(std::vector<double>(t.seconds.begin() + 1, t.seconds.end())); };
    const double flops = stepFlops(sft::GptConfig::preset("gpt2-small"));
    const double fp32Gflops = flops / steady(fp32) / 1e9, bf16Gflops = flops / steady(bf16) / 1e9;
    std::printf("{\"threads\": %d, \"native_bf16\": %s, \"steps\": %d, \"tokens_per_step\": %lld, "
                "\"fp32_gemm_peak_gflops\": %.1f, \"bf16_gemm_peak_gflops\": %.1f, "
                "\"fp32_step_s\": %.3f, \"bf16_step_s\": %.3f, \"bf16_speedup\": %.2f, "
                "\"fp32_mfu\": %.3f, \"bf16_mfu\": %.3f, "
                "\"fp32_loss\": %.5f, \"bf16_loss\": %.5f, \"loss_difference_relative\": %.5f}\n",
                torch::get_num_threads(), native ? "true" : "false", steps, (long long)(kBatch * kLength), fp32Peak,
                bf16Peak, steady(fp32), steady(bf16), steady(fp32) / steady(bf16), fp32Gflops / fp32Peak,
                bf16Gflops / bf16Peak, fp32.losses.back(), bf16.losses.back(),
                std::abs(bf16.losses.back() - fp32.losses.back()) / fp32.losses.back());
    if (!native)
        std::printf("this CPU has no native bf16 (avx512_bf16, AMX): its bf16 products are emulated, so the bf16 "
                    "lines say nothing of a machine that has it\n");
    printProfile("fp32", fp32);
    printProfile("bf16", bf16);
    return 0;
}
