#pragma once
// Every setting of a fine-tuning run. Defaults are the chapter's; run.json records all of them.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace sft {

struct TrainOptions {
    int64_t epochs = 2;
    int64_t batchSize = 8;
    double learningRate = 5e-5;
    double weightDecay = 0.1;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double adamEps = 1e-8;
    int64_t evalFreq = 5;       // evaluate every N optimizer steps (step 0 included)
    int64_t evalIter = 5;       // batches of train and of val per evaluation
    uint64_t seed = 123;
    int64_t maxLength = 1024;   // the collate's allowed_max_length
    std::string templateName = "alpaca";
    bool shuffle = true;
    int64_t maxSteps = 0;       // 0: run all epochs
    int64_t sampleTokens = 50;  // greedy tokens of the epoch-end sample
    // Apply the output head only where the target counts: same loss, far less work.
    bool headOnCountedTargets = true;

    nlohmann::json toJson() const;
    static TrainOptions fromJson(const nlohmann::json& j);
    void validate() const; // ConfigError naming the setting and its allowed range
};

} // namespace sft
