#include "core/generate/generator.h"

#include "core/io/mapping_guard.h"
#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

namespace sft {

namespace {

using Tokens = std::vector<int64_t>;

// Eval mode without autograd for the whole call; the caller's training mode comes back after.
// A model in eval mode already is only read, never written, so that several threads may
// generate with one model at once (the app's loaded models, core/jobs/loaded_models.h).
class InferenceScope {
public:
    explicit InferenceScope(Gpt& model) : model_(model), wasTraining_(model->is_training())
    {
        if (wasTraining_)
            model_->eval();
    }
    ~InferenceScope()
    {
        if (wasTraining_)
            model_->train();
    }
    InferenceScope(const InferenceScope&) = delete;
    InferenceScope& operator=(const InferenceScope&) = delete;

private:
    Gpt& model_;
    bool wasTraining_;
    c10::InferenceMode guard_;
};

void checkBatchSize(int64_t batchSize)
{
    if (batchSize < 1)
        throw ConfigError("generation batch size is " + std::to_string(batchSize) + "; use 1 or more");
}

void validateOptions(const GenerationOptions& options)
{
    if (options.maxNewTokens < 0)
        throw ConfigError("max new tokens is " + std::to_string(options.maxNewTokens) + "; use 0 or more");
    if (!(options.temperature >= 0.0) || !std::isfinite(options.temperature))
        throw ConfigError("temperature " + std::to_string(options.temperature) +
                          " is not allowed; use 0 for greedy decoding or a positive value to sample");
    if (options.topK < 0)
        throw ConfigError("top-k is " + std::to_string(options.topK) + "; use 0 (no filter) or a positive count");
    checkBatchSize(options.batchSize);
}

void validatePrompt(const Tokens& prompt, int64_t vocabSize, const std::string& name)
{
    if (prompt.empty())
        throw ConfigError(name + " is empty; generation needs at least one token to continue");
    for (size_t i = 0; i < prompt.size(); ++i)
        if (prompt[i] < 0 || prompt[i] >= vocabSize)
            throw ConfigError(name + " has token id " + std::to_string(prompt[i]) + " at position " +
                              std::to_string(i) + ", outside the model's vocabulary 0.." +
                              std::to_string(vocabSize - 1) + "; was it encoded with another tokenizer?");
}

Tokens lastTokens(const Tokens& sequence, int64_t count)
{
    const auto keep = std::min<int64_t>(count, int64_t(sequence.size()));
    return Tokens(sequence.end() - keep, sequence.end());
}

// Steps 3 and 4 of the chapter's generate(): top-k filter, then a sample at the temperature or
// the argmax. logits [B, vocab] -> one token per row. Done on the CPU in fp32 so one seeded
// generator gives the same draws whatever device or dtype the model runs on.
Tokens chooseNext(torch::Tensor logits, const GenerationOptions& options, at::Generator& rng)
{
    logits = logits.to(torch::kCPU, torch::kFloat);
    if (options.topK > 0) {
        const int64_t k = std::min(options.topK, logits.size(-1));
        const torch::Tensor kth = std::get<0>(logits.topk(k, -1)).narrow(-1, k - 1, 1); // [B, 1]
        logits = logits.masked_fill(logits < kth, -std::numeric_limits<float>::infinity());
    }
    torch::Tensor next;
    if (options.temperature > 0.0) {
        logits = logits / options.temperature;
        const torch::Tensor probs = torch::softmax(logits - std::get<0>(logits.max(-1, true)), -1);
        next = torch::multinomial(probs, 1, false, rng).view({-1});
    } else {
        next = logits.argmax(-1);
    }
    next = next.contiguous();
    return Tokens(next.data_ptr<int64_t>(), next.data_ptr<int64_t>() + next.numel());
}

// One prompt being continued.
struct Row {
    size_t prompt;   // index into the caller's prompts and the results
    Tokens sequence; // cropped prompt, then the tokens generated so far
};

// Runs the decoding loops and owns what they share: the results, the random generator, and the
// progress count (new tokens, where a row that stops early counts its unused tokens as done).
class Decoder {
public:
    Decoder(Gpt& model, const GenerationOptions& options, size_t prompts, const ProgressFn& progress,
            const JobControl* job)
        : model_(model), options_(options), rng_(at::detail::createCPUGenerator(options.seed)),
          device_(model->wte->weight.device()), results_(prompts), progress_(progress), job_(job),
          total_(int64_t(prompts) * options.maxNewTokens)
    {
    }

    // The chapter's loop: the last contextLength tokens are recomputed for every new token.
    void runWithoutCache(Row& row)
    {
        bool more = wantsMore(row);
        while (more) {
            const Tokens window = lastTokens(row.sequence, model_->config().contextLength);
            const torch::Tensor ids = torch::tensor(window, torch::kLong).view({1, -1}).to(device_);
            const torch::Tensor logits = model_->forward(ids).select(1, -1); // [1, vocab]
            more = accept(row, chooseNext(logits, options_, rng_).front());
            stepDone();
        }
    }

    // Prefills the rows together, then decodes one token per step for all of them from the KV
    // cache. Rows that stop leave the batch. A row that outgrows the context window needs its
    // positions shifted, which a cache cannot do, so it finishes with the chapter's loop.
    void runCached(std::vector<Row> rows)
    {
        KvCache cache;
        torch::Tensor keyValid;
        torch::Tensor logits = prefill(rows, cache, keyValid);
        std::vector<Row> pastContext;
        while (!rows.empty()) {
            const Tokens next = chooseNext(logits, options_, rng_);
            std::vector<Row> kept;
            std::vector<int64_t> keptIndices;
            for (size_t i = 0; i < rows.size(); ++i) {
                if (!accept(rows[i], next[i]))
                    continue;
                if (int64_t(rows[i].sequence.size()) > model_->config().contextLength) {
                    pastContext.push_back(std::move(rows[i]));
                    continue;
                }
                kept.push_back(std::move(rows[i]));
                keptIndices.push_back(int64_t(i));
            }
            stepDone();
            if (kept.empty())
                break;
            if (kept.size() < rows.size())
                shrink(kept, keptIndices, cache, keyValid);
            rows = std::move(kept);
            logits = decodeStep(rows, cache, keyValid);
        }
        for (Row& row : pastContext)
            runWithoutCache(row);
    }

    std::vector<Tokens> takeResults() { return std::move(results_); }

private:
    bool wantsMore(const Row& row) const { return int64_t(results_[row.prompt].size()) < options_.maxNewTokens; }

    // Steps 5 and 6: end-of-text stops the row before it is appended. True while the row goes on.
    bool accept(Row& row, int64_t token)
    {
        Tokens& generated = results_[row.prompt];
        if (token == options_.eosId) {
            done_ += options_.maxNewTokens - int64_t(generated.size());
            return false;
        }
        row.sequence.push_back(token);
        generated.push_back(token);
        ++done_;
        if (options_.onToken)
            options_.onToken(row.prompt, token);
        return wantsMore(row);
    }

    void stepDone()
    {
        requireNoMappedPagesLostSince(lostPagesBefore_);
        if (progress_)
            progress_(done_, total_, "new tokens");
        if (job_)
            job_->checkpoint();
    }

    // Left-padded so every row's last token sits in the last column; each row's positions start
    // at 0 on its first real token, and padding is masked out as a key.
    torch::Tensor prefill(const std::vector<Row>& rows, KvCache& cache, torch::Tensor& keyValid)
    {
        const auto batch = int64_t(rows.size());
        int64_t width = 0;
        for (const Row& row : rows)
            width = std::max(width, int64_t(row.sequence.size()));
        torch::Tensor ids = torch::zeros({batch, width}, torch::kLong);
        torch::Tensor positions = torch::zeros({batch, width}, torch::kLong);
        keyValid = torch::zeros({batch, width}, torch::kBool);
        for (int64_t b = 0; b < batch; ++b) {
            const Tokens& sequence = rows[size_t(b)].sequence;
            const auto length = int64_t(sequence.size());
            ids[b].narrow(0, width - length, length).copy_(torch::tensor(sequence, torch::kLong));
            positions[b].narrow(0, width - length, length).copy_(torch::arange(length, torch::kLong));
            keyValid[b].narrow(0, width - length, length).fill_(true);
        }
        keyValid = keyValid.to(device_);
        cache.reserve = std::min(model_->config().contextLength, width + options_.maxNewTokens);
        const torch::Tensor mask = hasPadding(rows, width) ? keyValid : torch::Tensor();
        return model_->forwardCached(ids.to(device_), positions.to(device_), mask, cache, GptImpl::Logits::Last)
            .select(1, 0);
    }

    // Feeds each row's newest token; the cache holds all tokens before it.
    torch::Tensor decodeStep(const std::vector<Row>& rows, KvCache& cache, torch::Tensor& keyValid)
    {
        Tokens newest, positions;
        for (const Row& row : rows) {
            newest.push_back(row.sequence.back());
            positions.push_back(int64_t(row.sequence.size()) - 1);
        }
        const bool padded = hasPadding(rows, cache.length() + 1);
        keyValid = torch::cat({keyValid, torch::ones({keyValid.size(0), 1}, keyValid.options())}, 1);
        const auto column = [&](const Tokens& values) {
            return torch::tensor(values, torch::kLong).view({-1, 1}).to(device_);
        };
        return model_->forwardCached(column(newest), column(positions), padded ? keyValid : torch::Tensor(), cache)
            .select(1, 0);
    }

    // True when some row is shorter than `width` keys, i.e. has padding in front.
    static bool hasPadding(const std::vector<Row>& rows, int64_t width)
    {
        return std::any_of(rows.begin(), rows.end(),
                           [&](const Row& row) { return int64_t(row.sequence.size()) < width; });
    }

    // Drops stopped rows from the cache so later steps cost less, then the leading padding no
    // remaining row needs; that keeps the cache no longer than the longest row, within context.
    void shrink(const std::vector<Row>& kept, const std::vector<int64_t>& keptIndices, KvCache& cache,
                torch::Tensor& keyValid)
    {
        const torch::Tensor index = torch::tensor(keptIndices, torch::kLong).to(device_);
        cache.selectRows(index);
        keyValid = keyValid.index_select(0, index);
        int64_t longest = 0;
        for (const Row& row : kept)
            longest = std::max(longest, int64_t(row.sequence.size()) - 1); // the newest is not cached yet
        const int64_t unused = cache.length() - longest;
        if (unused <= 0)
            return;
        for (auto* tensors : {&cache.keys, &cache.values})
            for (torch::Tensor& t : *tensors)
                t = t.narrow(2, unused, longest);
        keyValid = keyValid.narrow(1, unused, longest);
    }

    Gpt& model_;
    const GenerationOptions& options_;
    at::Generator rng_;
    torch::Device device_;
    std::vector<Tokens> results_;
    ProgressFn progress_;
    const JobControl* job_;
    int64_t done_ = 0;
    int64_t total_;
    // Weights read from a mapped file that another program shortens meanwhile (mapping_guard.h).
    uint64_t lostPagesBefore_ = lostMappedPages();
};

} // namespace

std::vector<std::vector<int64_t>> generate(Gpt& model, const std::vector<std::vector<int64_t>>& prompts,
                                           const GenerationOptions& options, const ProgressFn& progress,
                                           const JobControl* job)
{
    validateOptions(options);
    for (size_t i = 0; i < prompts.size(); ++i)
        validatePrompt(prompts[i], model->config().vocabSize,
                       "prompt " + std::to_string(i + 1) + " of " + std::to_string(prompts.size()));
    InferenceScope scope(model);
    Decoder decoder(model, options, prompts.size(), progress, job);
    if (options.maxNewTokens == 0)
        return decoder.takeResults();
    const int64_t context = model->config().contextLength;
    for (const std::vector<size_t>& batch : generationBatches(prompts, context, options.batchSize)) {
        std::vector<Row> rows;
        for (size_t i : batch)
            rows.push_back({i, lastTokens(prompts[i], context)});
        decoder.runCached(std::move(rows));
    }
    return decoder.takeResults();
}

std::vector<std::vector<size_t>> generationBatches(const std::vector<std::vector<int64_t>>& prompts,
                                                   int64_t contextLength, int64_t batchSize)
{
    checkBatchSize(batchSize);
    std::vector<size_t> order(prompts.size());
    std::iota(order.begin(), order.end(), size_t(0));
    const auto length = [&](size_t i) { return std::min<int64_t>(int64_t(prompts[i].size()), contextLength); };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return length(a) < length(b); });
    std::vector<std::vector<size_t>> batches;
    for (size_t start = 0; start < order.size(); start += size_t(batchSize))
        batches.emplace_back(order.begin() + long(start),
                             order.begin() + long(std::min(start + size_t(batchSize), order.size())));
    return batches;
}

std::vector<int64_t> generateWithoutCache(Gpt& model, const std::vector<int64_t>& prompt,
                                          const GenerationOptions& options)
{
    validateOptions(options);
    validatePrompt(prompt, model->config().vocabSize, "the prompt");
    InferenceScope scope(model);
    Decoder decoder(model, options, 1, {}, nullptr);
    Row row{0, prompt};
    decoder.runWithoutCache(row);
    return decoder.takeResults().front();
}

} // namespace sft
