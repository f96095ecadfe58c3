// Answering the chapter's 110 test prompts (Alpaca prompts of its test split, the GPT-2
// tokenizer), greedy, up to 256 new tokens, stopping at end-of-text, on a gpt2-small-shaped model
// (random weights): generate() as `respond` runs it (batches of 8 sorted by length, KV cache,
// finished rows dropped) against the chapter's generate(), which recomputes the whole sequence
// for every token, one prompt at a time. The chapter's way takes about two minutes a prompt on
// 2 cores, so it answers the first 5 prompts; those answers must be identical to ours.
//   bench_generation DATA TOKENIZER_DIR [REFERENCE_PROMPTS (default 5)]

#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/generate/generator.h"
#include "core/tokenizer/tokenizer.h"
#include "bench/op_profile.h"

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

std::vector<Tokens> testPrompts(const std::string& data, const std::string& tokenizerDir)
{
    const sft::Tokenizer tokenizer = sft::Tokenizer::fromDirectory(tokenizerDir);
    const sft::PromptTemplate alpaca = sft::PromptTemplate::alpaca();
    std::vector<Tokens> prompts;
    for (const sft::Entry& entry : sft::splitDataset(sft::loadDataset(data).entries).test) {
        const std::vector<int> ids = tokenizer.encode(alpaca.prompt(entry));
        prompts.emplace_back(ids.begin(), ids.end());
    }
    return prompts;
}

int64_t countTokens(const std::vector<Tokens>& results)
{
    int64_t n = 0;
    for (const Tokens& r : results)
        n += int64_t(r.size());
    return n;
}

// Where a decoding step's time goes, by operator: 4 prompts prefilled together, then `steps`
// steps of one token each, as generate() runs them (the self time of each ATen operator and of
// our kernels, which record themselves; the step's time includes the profiler's).
void profileDecoding(sft::Gpt& model, const std::vector<Tokens>& prompts, int steps)
{
    c10::InferenceMode inference;
    model->eval();
    const int64_t rows = 4;
    size_t shortest = prompts[0].size();
    for (int64_t r = 1; r < rows; ++r)
        shortest = std::min(shortest, prompts[size_t(r)].size());
    const int64_t width = int64_t(shortest);
    std::vector<int64_t> ids;
    for (int64_t r = 0; r < rows; ++r)
        ids.insert(ids.end(), prompts[size_t(r)].begin(), prompts[size_t(r)].begin() + width);
    sft::KvCache cache;
    cache.reserve = width + steps;
    model->forwardCached(torch::tensor(ids).view({rows, width}), torch::arange(width).repeat({rows, 1}), {}, cache,
                         sft::GptImpl::Logits::Last);
    const auto step = [&](int64_t position) {
        const torch::Tensor column = torch::full({rows, 1}, position, torch::kLong);
        return model->forwardCached(torch::full({rows, 1}, 13, torch::kLong), column, {}, cache,
                                    sft::GptImpl::Logits::Last);
    };
    step(width);
    sft::bench::OpProfile profile;
    const double elapsed = seconds([&] {
        for (int i = 1; i < steps; ++i)
            step(width + i);
    });
    profile.stop();
    std::printf("  a decoding step of %lld rows: %.1f ms; by operator (self time per step):\n", (long long)rows,
                1e3 * elapsed / (steps - 1));
    const std::vector<sft::bench::OpTime> ops = profile.byName();
    for (size_t i = 0; i < std::min<size_t>(ops.size(), 8); ++i)
        std::printf("    %-32s %6.2f ms  (%lld calls)\n", ops[i].name.c_str(), 1e3 * ops[i].seconds / (steps - 1),
                    (long long)(ops[i].calls / (steps - 1)));
}

void printRow(const char* name, int64_t tokens, double elapsed)
{
    std::printf("  %-44s %7.1f tokens/s  (%lld tokens in %.1f s)\n", name, double(tokens) / elapsed,
                (long long)tokens, elapsed);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s DATA TOKENIZER_DIR [REFERENCE_PROMPTS]\n", argv[0]);
        return 2;
    }
    const std::vector<Tokens> prompts = testPrompts(argv[1], argv[2]);
    const size_t referencePrompts = std::min(prompts.size(), size_t(argc > 3 ? std::atoi(argv[3]) : 5));
    torch::set_num_threads(int(std::max(1u, std::thread::hardware_concurrency())));
    torch::manual_seed(0);
    sft::Gpt model(sft::GptConfig::preset("gpt2-small"));
    model->initWeights(0);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // lines show as they come, also through a pipe

    sft::GenerationOptions options; // the app's: greedy, 256 new tokens, end-of-text stops, batches of 8
    std::vector<Tokens> ours, chapter;
    const double oursSeconds = seconds([&] { ours = sft::generate(model, prompts, options); });
    const double chapterSeconds = seconds([&] {
        for (size_t i = 0; i < referencePrompts; ++i)
            chapter.push_back(sft::generateWithoutCache(model, prompts[i], options));
    });
    const bool same = std::equal(chapter.begin(), chapter.end(), ours.begin());
    const double speedup = (double(countTokens(ours)) / oursSeconds) / (double(countTokens(chapter)) / chapterSeconds);
    std::printf("gpt2-small shape, random weights, fp32, greedy, %d threads; %zu test prompts of %zu..%zu tokens\n",
                torch::get_num_threads(), prompts.size(),
                std::min_element(prompts.begin(), prompts.end(), [](auto& a, auto& b) { return a.size() < b.size(); })->size(),
                std::max_element(prompts.begin(), prompts.end(), [](auto& a, auto& b) { return a.size() < b.size(); })->size());
    printRow("generate(): all prompts, batches of 8, KV cache", countTokens(ours), oursSeconds);
    char name[64];
    std::snprintf(name, sizeof name, "chapter generate(): first %zu, one at a time", referencePrompts);
    printRow(name, countTokens(chapter), chapterSeconds);
    std::printf("  speed-up %.1fx in tokens/s (acceptance >= 25x); first %zu answers identical: %s\n", speedup,
                referencePrompts, same ? "yes" : "NO");
    profileDecoding(model, prompts, 33);
    return same ? 0 : 1;
}
