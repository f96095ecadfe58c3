#pragma once
// Where the training loop stands after a step, as a resumable checkpoint records it.

#include <nlohmann/json.hpp>

#include <cstdint>

namespace sft {

struct TrainingState {
    int64_t stepsDone = 0;  // optimizer steps completed; the learning rate schedule's position
    int64_t epoch = 1;      // 1-based epoch of the next micro-batch ...
    int64_t nextBatch = 0;  // ... and its index in that epoch's order
    int64_t tokensSeen = 0;
    double elapsedSeconds = 0;
    nlohmann::json earlyStopping = nlohmann::json::object();

    nlohmann::json toJson() const;
    static TrainingState fromJson(const nlohmann::json& j); // FormatError when a key is missing
};

} // namespace sft
