// Peak memory (resident set) of full fine-tuning steps of a gpt2-medium-shaped model, batch 8,
// fp32, AdamW, as the trainer runs them (FusedAdamW, the head only where targets count). The
// batch is the chapter's longest: 8 rows of 91 tokens, the last 20 of each row padding (-100).
// Prints one JSON line; bench/bench_train_memory.sh runs the Python reference in its own process.

#include "core/data/batcher.h"
#include "core/model/gpt.h"
#include "core/train/fused_adamw.h"
#include "core/train/loss.h"

#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <thread>

int main()
{
    const int64_t batch = 8, length = 91, padding = 20;
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    torch::manual_seed(0);
    sft::Gpt model(sft::GptConfig::preset("gpt2-medium"));
    model->initWeights(0);
    model->train();
    sft::FusedAdamW optimizer(model->parameters(), torch::optim::AdamWOptions(5e-5).weight_decay(0.1));
    const torch::Tensor tokens = torch::randint(0, 50257, {batch, length + 1}, torch::kLong);
    sft::Batch data{tokens.slice(1, 0, length).contiguous(), tokens.slice(1, 1).contiguous()};
    data.targets.slice(1, length - padding).fill_(-100);
    for (int step = 0; step < 2; ++step) { // the second step has AdamW's moments from the first
        optimizer.zero_grad();
        sft::batchLoss(model, data).backward();
        optimizer.step();
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("{\"impl\": \"sft-studio (C++)\", \"model\": \"gpt2-medium\", \"batch\": \"8 x 91\", "
                "\"peak_rss_gb\": %.2f}\n", double(usage.ru_maxrss) / (1024.0 * 1024.0));
    return 0;
}
