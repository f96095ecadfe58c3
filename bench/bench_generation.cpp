// Greedy decoding of a gpt2-small-shaped model (random weights, end-of-text off so every run
// makes all its tokens): generate() with the KV cache against the chapter's generate(), which
// recomputes the whole sequence for every token. Both run in this process on the same model.
//   bench_generation [REPETITIONS]   (default 3, medians; about 11 minutes on 2 cores)

#include "core/eval/generator.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

namespace {

using Tokens = std::vector<int64_t>;

double seconds(const std::function<void()>& run)
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

struct Timing {
    double reference;
    double ours;
};

// The two run in turns, so a change in the machine's load between repetitions hits both alike.
Timing timeInTurns(int repetitions, const std::function<void()>& reference, const std::function<void()>& ours)
{
    std::vector<double> referenceSeconds, ourSeconds;
    for (int i = 0; i < repetitions; ++i) {
        referenceSeconds.push_back(seconds(reference));
        ourSeconds.push_back(seconds(ours));
    }
    return {median(referenceSeconds), median(ourSeconds)};
}

Tokens randomPrompt(int64_t length)
{
    const torch::Tensor ids = torch::randint(0, 50256, {length}, torch::kLong);
    return Tokens(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + length);
}

int64_t countTokens(const std::vector<Tokens>& results)
{
    int64_t n = 0;
    for (const Tokens& r : results)
        n += int64_t(r.size());
    return n;
}

void printRow(const char* name, int64_t tokens, double elapsed)
{
    std::printf("  %-34s %8.1f tokens/s  (%lld tokens in %.2f s)\n", name, double(tokens) / elapsed,
                (long long)tokens, elapsed);
}

// One prompt of ~40 tokens, 256 new tokens: the per-token cost of each method.
bool singlePrompt(sft::Gpt& model, int repetitions)
{
    sft::GenerationOptions options;
    options.maxNewTokens = 256;
    options.eosId = -1;
    options.batchSize = 1;
    const Tokens prompt = randomPrompt(40);
    Tokens uncached, cached;
    const Timing t = timeInTurns(
        repetitions, [&] { uncached = sft::generateWithoutCache(model, prompt, options); },
        [&] { cached = sft::generate(model, {prompt}, options).front(); });
    const bool same = cached == uncached;
    std::printf("1 prompt of 40 tokens, 256 new tokens, median of %d:\n", repetitions);
    printRow("chapter generate() (no cache)", int64_t(uncached.size()), t.reference);
    printRow("generate() with KV cache", int64_t(cached.size()), t.ours);
    std::printf("  speed-up %.1fx (acceptance >= 5x); tokens identical: %s\n\n", t.reference / t.ours,
                same ? "yes" : "NO");
    return same;
}

// Eight prompts of test-split lengths (the formatted chapter-7 prompts run 40 to 91 tokens):
// the chapter answers them one by one without a cache, generate() batches them with one.
bool eightPrompts(sft::Gpt& model, int repetitions)
{
    sft::GenerationOptions options;
    options.maxNewTokens = 64;
    options.eosId = -1;
    std::vector<Tokens> prompts;
    for (int64_t length : {45, 52, 61, 40, 78, 55, 91, 48})
        prompts.push_back(randomPrompt(length));
    std::vector<Tokens> oneByOne, batched;
    const Timing t = timeInTurns(
        repetitions,
        [&] {
            oneByOne.clear();
            for (const Tokens& prompt : prompts)
                oneByOne.push_back(sft::generateWithoutCache(model, prompt, options));
        },
        [&] { batched = sft::generate(model, prompts, options); });
    const bool same = batched == oneByOne;
    std::printf("8 prompts of 40..91 tokens, 64 new tokens each, median of %d:\n", repetitions);
    printRow("one at a time, no cache (chapter)", countTokens(oneByOne), t.reference);
    printRow("batch of 8 with KV cache", countTokens(batched), t.ours);
    std::printf("  speed-up %.1fx; tokens identical: %s\n", t.reference / t.ours, same ? "yes" : "NO");
    return same;
}

} // namespace

int main(int argc, char** argv)
{
    const int repetitions = std::max(1, argc > 1 ? std::atoi(argv[1]) : 3);
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    torch::manual_seed(0);
    sft::Gpt model(sft::GptConfig::preset("gpt2-small"));
    model->initWeights(0);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // lines show as they come, also through a pipe
    std::printf("gpt2-small shape, random weights, fp32, greedy, %d threads\n\n", torch::get_num_threads());
    const bool single = singlePrompt(model, repetitions);
    const bool batch = eightPrompts(model, repetitions);
    return single && batch ? 0 : 1;
}
