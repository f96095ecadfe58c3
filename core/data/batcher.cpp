#include "core/data/batcher.h"

#include "core/data/collate_row.h"
#include "core/data/prompt_template.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

namespace sft {

std::vector<Example> tokenizeEntries(const std::vector<Entry>& entries, const PromptTemplate& tmpl,
                                     const Tokenizer& tokenizer)
{
    std::vector<Example> examples;
    examples.reserve(entries.size());
    for (const Entry& entry : entries) {
        const std::vector<int> full = tokenizer.encode(tmpl.full(entry));
        const std::vector<int> prompt = tokenizer.encode(tmpl.prompt(entry));
        Example example;
        example.ids.assign(full.begin(), full.end());
        // Usually the prompt's tokens are a prefix of the full text's; where BPE merges a
        // token across the boundary, that token carries response text and stays trained.
        const auto common = std::mismatch(prompt.begin(), prompt.end(), full.begin(), full.end());
        example.promptLength = int64_t(common.first - prompt.begin());
        examples.push_back(std::move(example));
    }
    return examples;
}

// The chapter's custom_collate_fn: rows padded to the longest example, then truncated.
Batch collate(const std::vector<const Example*>& items, const CollateOptions& options)
{
    size_t longest = 0;
    for (const Example* item : items)
        longest = std::max(longest, item->ids.size());
    const size_t width = longest; // padded length longest + 1, minus the one-token shift
    std::vector<int64_t> inputs, targets;
    inputs.reserve(items.size() * width);
    targets.reserve(items.size() * width);
    for (const Example* item : items) {
        const CollatedRow row = collateRow(*item, width, options);
        inputs.insert(inputs.end(), row.inputs.begin(), row.inputs.end());
        targets.insert(targets.end(), row.targets.begin(), row.targets.end());
    }
    const auto rows = int64_t(items.size());
    auto toTensor = [&](const std::vector<int64_t>& data) {
        return torch::tensor(data, torch::kInt64).view({rows, int64_t(width)});
    };
    Batch batch{toTensor(inputs), toTensor(targets)};
    if (options.allowedMaxLength > 0 && int64_t(width) > options.allowedMaxLength) {
        batch.inputs = batch.inputs.narrow(1, 0, options.allowedMaxLength).contiguous();
        batch.targets = batch.targets.narrow(1, 0, options.allowedMaxLength).contiguous();
    }
    return batch;
}

DataLoader::DataLoader(std::vector<Example> examples, int64_t batchSize, bool shuffle, bool dropLast,
                       uint64_t seed, CollateOptions options)
    : examples_(std::move(examples)),
      batchSize_(batchSize),
      shuffle_(shuffle),
      dropLast_(dropLast),
      options_(options),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)),
      order_(examples_.size())
{
    if (batchSize_ <= 0)
        throw ConfigError("batch size must be at least 1, not " + std::to_string(batchSize_));
    for (size_t i = 0; i < order_.size(); ++i)
        order_[i] = int64_t(i);
}

int64_t DataLoader::numBatches() const
{
    const int64_t n = numExamples();
    return dropLast_ ? n / batchSize_ : (n + batchSize_ - 1) / batchSize_;
}

// As PyTorch's DataLoader: each new iterator draws a base seed (for workers) and then the
// RandomSampler's seed from the global generator, and permutes with a generator seeded so.
// Seeded like torch.manual_seed(seed), the first epoch has the chapter's batch order.
void DataLoader::startEpoch()
{
    if (!shuffle_)
        return;
    auto draw = [&] { return torch::empty({}, torch::kInt64).random_(generator_).item<int64_t>(); };
    draw();
    const auto samplerSeed = uint64_t(draw());
    const at::Generator sampler = at::make_generator<at::CPUGeneratorImpl>(samplerSeed);
    const torch::Tensor perm = torch::randperm(numExamples(), sampler, torch::kInt64);
    order_.assign(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + perm.numel());
}

Batch DataLoader::batch(int64_t i) const
{
    if (i < 0 || i >= numBatches())
        throw std::out_of_range("batch " + std::to_string(i) + " of " + std::to_string(numBatches()));
    const int64_t begin = i * batchSize_;
    const int64_t end = std::min(begin + batchSize_, numExamples());
    std::vector<const Example*> items;
    for (int64_t k = begin; k < end; ++k)
        items.push_back(&examples_[size_t(order_[size_t(k)])]);
    return collate(items, options_);
}

DataLoaderState DataLoader::state() const { return {generator_.get_state(), order_}; }

void DataLoader::restore(const DataLoaderState& state)
{
    const auto n = int64_t(order_.size());
    const bool fits = int64_t(state.order.size()) == n &&
                      std::all_of(state.order.begin(), state.order.end(), [n](int64_t i) { return i >= 0 && i < n; });
    if (!fits)
        throw ConfigError("the saved batch order does not fit the " + std::to_string(n) + " examples of this data");
    generator_.set_state(state.generatorState);
    order_ = state.order;
}

} // namespace sft
