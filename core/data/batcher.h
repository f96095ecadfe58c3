#pragma once
// Tokenized entries -> padded (inputs, targets) batches, as the chapter's custom_collate_fn.

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace sft {

class PromptTemplate;
class Tokenizer;
struct Entry;

// One tokenized training example: prompt + response tokens, and how many are prompt.
struct Example {
    std::vector<int64_t> ids;
    int64_t promptLength = 0; // a token BPE merges across the prompt/response boundary is response
};

std::vector<Example> tokenizeEntries(const std::vector<Entry>& entries, const PromptTemplate& tmpl,
                                     const Tokenizer& tokenizer);

struct CollateOptions {
    int64_t padId = 50256;
    int64_t ignoreIndex = -100;
    int64_t allowedMaxLength = 0; // 0: no truncation
    bool maskPrompt = false;      // exercise 7.2: prompt targets become ignoreIndex
};

struct Batch {
    torch::Tensor inputs;  // [B, T] int64
    torch::Tensor targets; // [B, T] int64, ignoreIndex where no loss is taken
};

Batch collate(const std::vector<const Example*>& items, const CollateOptions& options);

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
class DataLoader {
public:
    DataLoader(std::vector<Example> examples, int64_t batchSize, bool shuffle, bool dropLast,
               uint64_t seed, CollateOptions options);

    int64_t numBatches() const;
    int64_t numExamples() const { return int64_t(examples_.size()); }
    void startEpoch();               // draws the next order (no-op without shuffle)
    Batch batch(int64_t i) const;    // i-th batch of the current order
    DataLoaderState state() const;
    void restore(const DataLoaderState& state); // ConfigError when the order does not fit

private:
    std::vector<Example> examples_;
    int64_t batchSize_;
    bool shuffle_;
    bool dropLast_;
    CollateOptions options_;
    torch::Generator generator_;
    std::vector<int64_t> order_;
};

} // namespace sft
