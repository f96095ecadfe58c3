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

std::vector<Example> tokenizePreferences(const std::vector<Entry>& entries, const PromptTemplate& tmpl,
                                         const Tokenizer& tokenizer)
{
    const auto encode = [&](const std::string& text) {
        const std::vector<int> ids = tokenizer.encode(text);
        return std::vector<int64_t>(ids.begin(), ids.end());
    };
    std::vector<Example> examples;
    examples.reserve(entries.size());
    for (const Entry& entry : entries) {
        Entry answered = entry;
        Example example;
        example.promptLength = int64_t(tokenizer.encode(tmpl.prompt(entry)).size());
        answered.output = entry.chosen;
        example.ids = encode(tmpl.full(answered));
        answered.output = entry.rejected;
        example.rejected = encode(tmpl.full(answered));
        examples.push_back(std::move(example));
    }
    return examples;
}

size_t dropPairsWithoutAnswer(std::vector<Example>& pairs, int64_t allowedMaxLength)
{
    const size_t bound = allowedMaxLength > 0 ? size_t(allowedMaxLength) : SIZE_MAX;
    const auto noAnswer = [bound](const Example& e) {
        const auto answerFrom = size_t(e.answerStart());
        return std::min(e.ids.size(), bound) <= answerFrom || std::min(e.rejected.size(), bound) <= answerFrom;
    };
    const size_t before = pairs.size();
    pairs.erase(std::remove_if(pairs.begin(), pairs.end(), noAnswer), pairs.end());
    return before - pairs.size();
}

int64_t Batch::tokensSeen() const
{
    return pairs ? inputs.size(0) / 2 * (inputs.size(1) + 1) : inputs.numel();
}

Batch shardOf(const Batch& batch, RowShard shard)
{
    if (shard.whole())
        return batch;
    const int64_t units = batch.pairs ? batch.inputs.size(0) / 2 : batch.inputs.size(0);
    const int64_t each = (units + shard.count - 1) / shard.count;
    const int64_t begin = std::min(units, shard.index * each), end = std::min(units, begin + each);
    Batch part;
    part.pairs = batch.pairs;
    if (!batch.pairs) {
        part.inputs = batch.inputs.slice(0, begin, end);
        part.targets = batch.targets.slice(0, begin, end);
        return part;
    }
    // Rows [0, units) are the chosen answers and [units, 2 units) the rejected ones of the same pairs.
    auto rows = [&](const torch::Tensor& t) {
        return torch::cat({t.slice(0, begin, end), t.slice(0, units + begin, units + end)});
    };
    part.inputs = rows(batch.inputs);
    part.targets = rows(batch.targets);
    return part;
}

int64_t countedTargets(const Batch& batch, int64_t ignoreIndex)
{
    return batch.targets.ne(ignoreIndex).sum().item<int64_t>();
}

// The chapter's custom_collate_fn: rows padded to the longest example, then truncated.
// Each example is cut to the kept width (plus the one token its last target needs) before
// its row is built: the rows come out the same, and an entry of millions of tokens does not
// make every row of its batch millions of tokens wide first.
Batch collate(const std::vector<const Example*>& items, const CollateOptions& options)
{
    if (!items.empty() && items.front()->isPair())
        return pairBatch(collatePreferences(items, options), options.ignoreIndex);
    size_t longest = 0;
    for (const Example* item : items)
        longest = std::max(longest, item->ids.size());
    const size_t width = options.allowedMaxLength > 0 ? std::min(longest, size_t(options.allowedMaxLength)) : longest;
    std::vector<int64_t> inputs, targets;
    inputs.reserve(items.size() * width);
    targets.reserve(items.size() * width);
    for (const Example* item : items) {
        Example kept;
        kept.ids.assign(item->ids.begin(), item->ids.begin() + std::ptrdiff_t(std::min(item->ids.size(), width + 1)));
        kept.promptLength = item->promptLength;
        const CollatedRow row = collateRow(kept, width, options);
        inputs.insert(inputs.end(), row.inputs.begin(), row.inputs.begin() + std::ptrdiff_t(width));
        targets.insert(targets.end(), row.targets.begin(), row.targets.begin() + std::ptrdiff_t(width));
    }
    const auto rows = int64_t(items.size());
    auto toTensor = [&](const std::vector<int64_t>& data) {
        return torch::tensor(data, torch::kInt64).view({rows, int64_t(width)});
    };
    return {toTensor(inputs), toTensor(targets)};
}

PreferencePairs collatePreferences(const std::vector<const Example*>& items, const CollateOptions& options)
{
    size_t common = 0;
    for (const Example* item : items)
        common = std::max({common, item->ids.size() + 1, item->rejected.size() + 1});
    const size_t width =
        options.allowedMaxLength > 0 ? std::min(common, size_t(options.allowedMaxLength)) : common;
    const auto rows = int64_t(items.size());
    const auto side = [&](const std::vector<int64_t> Example::*answer, torch::Tensor& ids, torch::Tensor& mask) {
        ids = torch::full({rows, int64_t(width)}, options.padId, torch::kInt64);
        mask = torch::zeros({rows, int64_t(width)}, torch::kBool);
        auto idsAt = ids.accessor<int64_t, 2>();
        auto maskAt = mask.accessor<bool, 2>();
        for (int64_t r = 0; r < rows; ++r) {
            const std::vector<int64_t>& sequence = items[size_t(r)]->*answer;
            const size_t kept = std::min(sequence.size(), width);
            for (size_t j = 0; j < kept; ++j) {
                idsAt[r][int64_t(j)] = sequence[j];
                maskAt[r][int64_t(j)] = int64_t(j) >= items[size_t(r)]->answerStart();
            }
        }
    };
    PreferencePairs pairs;
    side(&Example::ids, pairs.chosen, pairs.chosenMask);
    side(&Example::rejected, pairs.rejected, pairs.rejectedMask);
    return pairs;
}

Batch pairBatch(const PreferencePairs& pairs, int64_t ignoreIndex)
{
    using torch::indexing::Slice;
    const torch::Tensor ids = torch::cat({pairs.chosen, pairs.rejected});
    const torch::Tensor mask = torch::cat({pairs.chosenMask, pairs.rejectedMask});
    const torch::Tensor next = ids.index({Slice(), Slice(1)});
    Batch batch;
    batch.inputs = ids.index({Slice(), Slice(0, -1)}).contiguous();
    batch.targets = next.masked_fill(mask.index({Slice(), Slice(1)}).logical_not(), ignoreIndex).contiguous();
    batch.pairs = true;
    return batch;
}

DataLoader::DataLoader(std::vector<Example> examples, int64_t batchSize, bool shuffle, bool dropLast,
                       uint64_t seed, CollateOptions options, bool groupByLength)
    : examples_(std::move(examples)),
      batchSize_(batchSize),
      shuffle_(shuffle),
      dropLast_(dropLast),
      groupByLength_(groupByLength),
      options_(options),
      generator_(at::make_generator<at::CPUGeneratorImpl>(seed)),
      order_(examples_.size())
{
    if (batchSize_ <= 0)
        throw ConfigError("batch size must be at least 1, not " + std::to_string(batchSize_));
    for (size_t i = 0; i < order_.size(); ++i)
        order_[i] = int64_t(i);
}

int64_t DataLoader::longestBatch() const
{
    size_t longest = 0;
    for (const Example& e : examples_)
        longest = std::max(longest, e.length());
    const auto width = int64_t(longest);
    return options_.allowedMaxLength > 0 ? std::min(width, options_.allowedMaxLength) : width;
}

int64_t DataLoader::batchCount(int64_t examples, int64_t batchSize, bool dropLast)
{
    return dropLast ? examples / batchSize : (examples + batchSize - 1) / batchSize;
}

int64_t DataLoader::numBatches() const { return batchCount(numExamples(), batchSize_, dropLast_); }

// As PyTorch's DataLoader: each new iterator draws a base seed (for workers), shuffled or not,
// and then the RandomSampler's seed from the global generator, and permutes with a generator
// seeded so. Seeded like torch.manual_seed(seed), the orders are the chapter's.
void DataLoader::startEpoch()
{
    auto draw = [&] { return torch::empty({}, torch::kInt64).random_(generator_).item<int64_t>(); };
    draw();
    if (!shuffle_)
        return;
    const auto samplerSeed = uint64_t(draw());
    const at::Generator sampler = at::make_generator<at::CPUGeneratorImpl>(samplerSeed);
    const torch::Tensor perm = torch::randperm(numExamples(), sampler, torch::kInt64);
    order_.assign(perm.data_ptr<int64_t>(), perm.data_ptr<int64_t>() + perm.numel());
    if (groupByLength_)
        groupByLength(sampler);
}

void DataLoader::groupByLength(const at::Generator& sampler)
{
    // The entries beyond whole batches stay those of the random order, so that dropLast drops
    // random entries rather than always the shortest.
    const int64_t whole = numExamples() / batchSize_;
    const auto grouped = size_t(whole * batchSize_);
    const auto longer = [this](int64_t a, int64_t b) {
        return examples_[size_t(a)].length() > examples_[size_t(b)].length();
    };
    const auto span = size_t(kLengthGroupBatches * batchSize_);
    for (size_t begin = 0; begin < grouped; begin += span) {
        const size_t end = std::min(begin + span, grouped);
        std::stable_sort(order_.begin() + long(begin), order_.begin() + long(end), longer);
    }
    const torch::Tensor perm = torch::randperm(whole, sampler, torch::kInt64);
    const int64_t* batches = perm.data_ptr<int64_t>();
    std::vector<int64_t> shuffled;
    shuffled.reserve(order_.size());
    for (int64_t b = 0; b < whole; ++b) {
        const auto first = order_.begin() + long(batches[b] * batchSize_);
        shuffled.insert(shuffled.end(), first, first + long(batchSize_));
    }
    shuffled.insert(shuffled.end(), order_.begin() + long(grouped), order_.end());
    order_ = std::move(shuffled);
}

// The width collate gives batch i: its longest entry, truncated to the allowed length.
int64_t DataLoader::rowLength(int64_t i) const
{
    const int64_t begin = i * batchSize_, end = std::min(begin + batchSize_, numExamples());
    int64_t longest = 0;
    for (int64_t k = begin; k < end; ++k)
        longest = std::max(longest, int64_t(examples_[size_t(order_[size_t(k)])].length()));
    return options_.allowedMaxLength > 0 ? std::min(longest, options_.allowedMaxLength) : longest;
}

double DataLoader::paddingFraction() const
{
    int64_t all = 0, real = 0;
    for (int64_t i = 0; i < numBatches(); ++i) {
        const int64_t width = rowLength(i);
        const int64_t begin = i * batchSize_, end = std::min(begin + batchSize_, numExamples());
        all += width * (end - begin);
        for (int64_t k = begin; k < end; ++k)
            real += std::min(width, int64_t(examples_[size_t(order_[size_t(k)])].length()));
    }
    return all == 0 ? 0.0 : double(all - real) / double(all);
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
