// Peak memory of a short training run against core/train/memory_estimate's figure for it:
// a random model of a GPT-2 size, AdamW on LoRA adapters (or on everything), random token ids.
//   bench_lora_memory [size=gpt2-xl] [targets=q,v | all | full] [batch=2] [length=128] [steps=3] [out]
// With `out`, the model is then saved as a merged model folder (out/merged) and, with LoRA, the
// adapters alone (out/adapters), and the peak after saving is reported too.
// Prints one JSON line. Run one configuration per process: the peak is the process's.

#include "core/data/batcher.h"
#include "core/io/lora_adapters.h"
#include "core/io/model_folder.h"
#include "core/model/gpt.h"
#include "core/model/lora.h"
#include "core/train/loss.h"
#include "core/train/memory_estimate.h"

#include <sys/resource.h>
#include <unistd.h>

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>

namespace {

double peakRssGb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_maxrss) * 1024.0 / 1e9; // ru_maxrss is in KiB on Linux
}

double currentRssGb()
{
    std::ifstream statm("/proc/self/statm");
    int64_t size = 0, resident = 0;
    statm >> size >> resident;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / 1e9;
}

double gb(int64_t bytes) { return double(bytes) / 1e9; }

} // namespace

int main(int argc, char** argv)
{
    const std::string size = argc > 1 ? argv[1] : "gpt2-xl";
    const std::string targets = argc > 2 ? argv[2] : "q,v";
    const int64_t batch = argc > 3 ? std::atoll(argv[3]) : 2;
    const int64_t length = argc > 4 ? std::atoll(argv[4]) : 128;
    const int steps = argc > 5 ? std::atoi(argv[5]) : 3;
    const std::string out = argc > 6 ? argv[6] : "";

    const sft::GptConfig config = sft::GptConfig::preset(size);
    sft::Gpt model(config);
    model->initWeights(0);
    model->train();
    std::optional<sft::LoraOptions> lora;
    std::vector<torch::Tensor> trained = model->parameters();
    if (targets != "full") {
        lora.emplace();
        lora->targets = sft::parseLoraTargets(targets);
        trained = sft::addLora(model, *lora, 0);
    }
    const double rssBeforeTraining = currentRssGb();

    torch::optim::AdamW optimizer(trained, torch::optim::AdamWOptions(1e-4).weight_decay(0.0));
    torch::manual_seed(0);
    const torch::Tensor tokens = torch::randint(0, config.vocabSize, {batch, length + 1}, torch::kLong);
    const sft::Batch data{tokens.slice(1, 0, length).contiguous(), tokens.slice(1, 1).contiguous()};
    const auto start = std::chrono::steady_clock::now();
    double loss = 0;
    for (int i = 0; i < steps; ++i) {
        optimizer.zero_grad();
        torch::Tensor l = sft::batchLoss(model, data);
        l.backward();
        optimizer.step();
        loss = l.item<double>();
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double peakTraining = peakRssGb();
    if (!out.empty()) {
        if (lora)
            sft::saveLoraAdapters(out + "/adapters", model, size);
        sft::saveModelFolder(out + "/merged", model, nullptr);
    }

    const sft::MemoryEstimate estimate = sft::estimateTrainingMemory(config, batch, length, lora ? &*lora : nullptr);
    const sft::MemoryEstimate fullXl =
        sft::estimateTrainingMemory(sft::GptConfig::preset("gpt2-xl"), batch, length, nullptr);
    std::printf("{\"model\": \"%s\", \"targets\": \"%s\", \"batch\": %lld, \"length\": %lld, \"steps\": %d, "
                "\"trainable\": %lld, \"total\": %lld, \"last_loss\": %.4f, \"seconds\": %.1f, "
                "\"rss_before_training_gb\": %.2f, \"peak_rss_training_gb\": %.2f, \"peak_rss_gb\": %.2f, "
                "\"estimate_gb\": {\"weights\": %.2f, \"gradients\": %.2f, \"optimizer\": %.2f, "
                "\"activations\": %.2f, \"transient\": %.2f, \"model_files\": %.2f, \"training_plus_runtime\": %.2f, "
                "\"peak\": %.2f}, \"estimate_full_gpt2_xl_gb\": %.2f}\n",
                size.c_str(), targets.c_str(), (long long)batch, (long long)length, steps,
                (long long)sft::trainableParameterCount(model), (long long)sft::totalParameterCount(model), loss,
                seconds, rssBeforeTraining, peakTraining, peakRssGb(), gb(estimate.weights), gb(estimate.gradients),
                gb(estimate.optimizer), gb(estimate.activations), gb(estimate.transient), gb(estimate.modelFiles),
                gb(estimate.training() + estimate.runtime), gb(estimate.peak()), gb(fullXl.peak()));
    return 0;
}
