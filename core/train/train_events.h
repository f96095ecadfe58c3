#pragma once
// What a training run reports as it goes. Plain values with no LibTorch in sight, so the GUI's
// worker signals and the CLI's printer can carry them.

#include <cstdint>
#include <string>

namespace sft {

struct StepPoint {
    int64_t epoch = 0;      // 1-based
    int64_t step = 0;       // 0-based global step, as the chapter counts
    int64_t totalSteps = 0;
    int64_t tokensSeen = 0; // input tokens including padding, as the chapter counts
    double loss = 0;
    double tokensPerSecond = 0;
};

struct EvalPoint {
    int64_t epoch = 0;
    int64_t step = 0;
    int64_t tokensSeen = 0;
    double trainLoss = 0;
    double valLoss = 0;
    double elapsedSeconds = 0;
};

class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    virtual void onStep(const StepPoint&) {}
    virtual void onEvaluation(const EvalPoint&) {}
    virtual void onSample(int64_t /*epoch*/, const std::string& /*text*/) {}
    virtual void onMessage(const std::string& /*text*/) {}
};

} // namespace sft
