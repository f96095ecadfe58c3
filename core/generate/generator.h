#pragma once
// Text continuation for batches of prompts: greedy, or temperature with top-k, with a KV cache,
// stopping at end-of-text. The chapter's generate() (no cache, one prompt at a time) is kept as
// the reference that tests and benchmarks compare against.

#include "core/model/gpt.h"
#include "core/util/job_control.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace sft {

struct GenerationOptions {
    int64_t maxNewTokens = 256;
    double temperature = 0.0; // 0: greedy (argmax)
    int64_t topK = 0;         // 0: no top-k filter
    uint64_t seed = 123;
    int64_t eosId = 50256;    // negative: never stop early
    int64_t batchSize = 8;
    // Called for every token kept, as soon as it is chosen (streaming); not for end-of-text.
    std::function<void(size_t prompt, int64_t token)> onToken;
};

// New tokens for each prompt, in prompt order; the end-of-text token is not included.
// Prompts longer than the context window are cropped to their last tokens, as the chapter does.
// Prompts are decoded options.batchSize at a time, shortest first, with a KV cache; a row that
// outgrows the context window finishes with the chapter's loop (its window, hence every
// position, shifts with each token, which a cache cannot follow). Progress counts new tokens,
// a row stopped by end-of-text counting its unused ones as done.
// Throws ConfigError for an empty prompt, a token outside the vocabulary or an option out of
// range, and Cancelled when `job` is cancelled between steps.
std::vector<std::vector<int64_t>> generate(Gpt& model, const std::vector<std::vector<int64_t>>& prompts,
                                           const GenerationOptions& options, const ProgressFn& progress = {},
                                           const JobControl* job = nullptr);

// The prompt indices generate() decodes together, batch by batch: by cropped length, shortest
// first, so each batch pads little. ConfigError for a batch size below 1.
std::vector<std::vector<size_t>> generationBatches(const std::vector<std::vector<int64_t>>& prompts,
                                                   int64_t contextLength, int64_t batchSize);

// The chapter's generate(): one prompt, whole sequence recomputed for every new token.
std::vector<int64_t> generateWithoutCache(Gpt& model, const std::vector<int64_t>& prompt,
                                          const GenerationOptions& options);

} // namespace sft
