#pragma once
// Where the training loop stands after a step, as a resumable checkpoint records it.

#include "core/train/train_events.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>

namespace sft {

// The training steps' losses since the last evaluation: their mean is the training loss an
// evaluation reports unless the chapter's estimate is asked for (TrainOptions::trainLoss).
struct StepLossMean {
    int64_t steps = 0;
    double lossSum = 0;
    double chosenSum = 0, rejectedSum = 0; // DPO's rewards
    bool rewarded = false;

    void add(double loss, const std::optional<Rewards>& rewards);
    double loss() const { return lossSum / double(steps); }
    std::optional<Rewards> rewards() const;
    nlohmann::json toJson() const;
    static StepLossMean fromJson(const nlohmann::json& j);
};

struct TrainingState {
    int64_t stepsDone = 0;  // optimizer steps completed; the learning rate schedule's position
    int64_t epoch = 1;      // 1-based epoch of the next micro-batch ...
    int64_t nextBatch = 0;  // ... and its index in that epoch's order
    int64_t tokensSeen = 0;
    double elapsedSeconds = 0;
    nlohmann::json earlyStopping = nlohmann::json::object();
    StepLossMean sinceEvaluation;

    nlohmann::json toJson() const;
    static TrainingState fromJson(const nlohmann::json& j); // FormatError when a key is missing
};

} // namespace sft
