#pragma once
// What a training run reports as it goes. Plain values with no LibTorch in sight, so the GUI's
// worker signals and the CLI's printer can carry them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sft {

// DPO's implicit rewards: the mean of policy minus reference log-probability of the chosen and
// of the rejected answers. The margin between them grows as the policy learns the preference.
struct Rewards {
    double chosen = 0;
    double rejected = 0;
    double margin() const { return chosen - rejected; }
};

struct StepPoint {
    int64_t epoch = 0;      // 1-based
    int64_t step = 0;       // 0-based global step, as the chapter counts
    int64_t totalSteps = 0;
    int64_t tokensSeen = 0; // input tokens including padding, as the chapter counts
    double loss = 0;        // mean over the targets of all the step's micro-batches
    double tokensPerSecond = 0;
    double learningRate = 0; // the rate this step's update used
    double gradNorm = 0;     // global L2 norm of the gradients, before clipping
    std::optional<Rewards> rewards; // DPO runs: the step's batch
    double syncSeconds = 0;         // data-parallel runs: the step's exchange of gradients
};

struct EvalPoint {
    int64_t epoch = 0;
    int64_t step = 0;
    int64_t tokensSeen = 0;
    double trainLoss = 0;
    double valLoss = 0;
    double elapsedSeconds = 0;
    std::optional<Rewards> trainRewards; // DPO runs
    std::optional<Rewards> valRewards;
};

class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    virtual void onStep(const StepPoint&) {}
    virtual void onEvaluation(const EvalPoint&) {}
    virtual void onSample(int64_t /*epoch*/, const std::string& /*text*/) {}
    virtual void onMessage(const std::string& /*text*/) {}
    // A resumed run starts after `stepsDone` steps; these are what it had recorded up to there.
    virtual void onResumed(int64_t /*stepsDone*/, const std::vector<StepPoint>& /*steps*/,
                           const std::vector<EvalPoint>& /*evals*/)
    {
    }
};

} // namespace sft
