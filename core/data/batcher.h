#pragma once
// Tokenized entries -> padded (inputs, targets) batches, as the chapter's custom_collate_fn.

#include <torch/types.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace sft {

class PromptTemplate;
class Tokenizer;
struct Entry;

// One tokenized training example: prompt + response tokens, and how many are prompt. A
// preference pair (DPO) holds prompt + chosen answer in ids and prompt + rejected answer in
// rejected, and promptLength is then the prompt's own token count, as the DPO notebook takes it.
struct Example {
    std::vector<int64_t> ids;
    int64_t promptLength = 0; // a token BPE merges across the prompt/response boundary is response
    std::vector<int64_t> rejected;

    bool isPair() const { return !rejected.empty(); }
    // Where a pair's answer tokens start counting: after the prompt and the two tokens after it
    // (the DPO notebook's mask[:len(prompt) + 2] = False).
    int64_t answerStart() const { return promptLength + 2; }
    size_t length() const { return std::max(ids.size(), rejected.size()); }
};

std::vector<Example> tokenizeEntries(const std::vector<Entry>& entries, const PromptTemplate& tmpl,
                                     const Tokenizer& tokenizer);
// The DPO notebook's PreferenceDataset: the prompt, and the prompt followed by the template's
// response with the chosen and with the rejected answer, each tokenized whole.
std::vector<Example> tokenizePreferences(const std::vector<Entry>& entries, const PromptTemplate& tmpl,
                                         const Tokenizer& tokenizer);
// Removes the pairs whose prompt fills allowedMaxLength (0: no bound) and leaves an answer no
// token to count (the notebook would divide by zero); returns how many.
size_t dropPairsWithoutAnswer(std::vector<Example>& pairs, int64_t allowedMaxLength);

struct CollateOptions {
    int64_t padId = 50256;
    int64_t ignoreIndex = -100;
    int64_t allowedMaxLength = 0; // 0: no truncation
    bool maskPrompt = false;      // exercise 7.2: prompt targets become ignoreIndex
};

struct Batch {
    torch::Tensor inputs;  // [B, T] int64
    torch::Tensor targets; // [B, T] int64, ignoreIndex where no loss is taken
    bool pairs = false;    // preference pairs: rows [0, B/2) the chosen answers, [B/2, B) the rejected

    // Tokens the step counts as seen: the inputs, as the chapter counts them; for pairs the
    // chosen half before the shift, as the DPO notebook counts batch["chosen"].numel().
    int64_t tokensSeen() const;
};

// Which rows of every batch one of several data-parallel processes computes: process `index`
// of `count` takes the index-th of count near-equal runs of rows (of pairs, for a pair batch),
// so the processes together compute each batch exactly once, in its own row order.
struct RowShard {
    int64_t index = 0;
    int64_t count = 1;
    bool whole() const { return count == 1; }
};
// The shard's rows of `batch` (the batch itself when whole); may hold no rows.
Batch shardOf(const Batch& batch, RowShard shard);
// Targets that count in the loss (not ignoreIndex).
int64_t countedTargets(const Batch& batch, int64_t ignoreIndex = -100);

// Examples that are preference pairs collate as pairBatch(collatePreferences(...)).
Batch collate(const std::vector<const Example*>& items, const CollateOptions& options);

// The DPO notebook's collate: chosen and rejected padded with padId to one common width, the
// longest of either plus one; each mask false on the padding and on the first promptLength + 2
// positions (the prompt and the two tokens after it); all four truncated to allowedMaxLength.
struct PreferencePairs {
    torch::Tensor chosen, rejected;         // [B, W] int64
    torch::Tensor chosenMask, rejectedMask; // [B, W] bool
};
PreferencePairs collatePreferences(const std::vector<const Example*>& items, const CollateOptions& options);
// Both halves as one batch whose per-row mean target log-probability is the notebook's
// compute_logprobs: rows [chosen; rejected], inputs without the last position, targets the ids
// one ahead, ignoreIndex where the shifted mask is false.
Batch pairBatch(const PreferencePairs& pairs, int64_t ignoreIndex);

// Where a shuffling loader is in its sequence of orders: enough to continue it exactly after a
// restart (the generator's state alone cannot give back an order drawn before it).
struct DataLoaderState {
    torch::Tensor generatorState; // uint8, as at::Generator::get_state
    std::vector<int64_t> order;
};

// Batches over a fixed list of examples. With shuffle, each epoch draws a new order from
// its own seeded generator, so runs are reproducible and independent of other RNG use; the
// orders are those of PyTorch's DataLoader after torch.manual_seed(seed). A copy shares the
// generator, as iterating the same PyTorch DataLoader twice draws from one global generator.
// With groupByLength (shuffling loaders only), each epoch's random order is cut into spans of
// kLengthGroupBatches batches, each span sorted longest first, and the batches so formed are
// shuffled: entries of similar length share a batch and pad less, and the order stays random
// and seeded (Hugging Face's group_by_length works the same way).
class DataLoader {
public:
    static constexpr int64_t kLengthGroupBatches = 50;

    DataLoader(std::vector<Example> examples, int64_t batchSize, bool shuffle, bool dropLast,
               uint64_t seed, CollateOptions options, bool groupByLength = false);

    int64_t numBatches() const;
    static int64_t batchCount(int64_t examples, int64_t batchSize, bool dropLast);
    int64_t numExamples() const { return int64_t(examples_.size()); }
    int64_t longestBatch() const;    // the most tokens per row any batch can have
    // Padding positions over all positions of the current order's batches (inputs after the
    // shift and truncation): the work spent on padding.
    double paddingFraction() const;
    // A new iteration, as PyTorch starts one: it draws a base seed from the generator, and when
    // shuffling, the sampler's seed and from it the next order.
    void startEpoch();
    // Draws from `other`'s generator from now on, as every PyTorch DataLoader draws from the one
    // global generator: the chapter's unshuffled validation loader moves the training order.
    void shareGenerator(const DataLoader& other) { generator_ = other.generator_; }
    Batch batch(int64_t i) const;    // i-th batch of the current order
    DataLoaderState state() const;
    void restore(const DataLoaderState& state); // ConfigError when the order does not fit

private:
    void groupByLength(const at::Generator& sampler);
    int64_t rowLength(int64_t batchIndex) const;

    std::vector<Example> examples_;
    int64_t batchSize_;
    bool shuffle_;
    bool dropLast_;
    bool groupByLength_;
    CollateOptions options_;
    torch::Generator generator_;
    std::vector<int64_t> order_;
};

} // namespace sft
