#pragma once
// How rank 0 of a run started by runLocalRanks reports to the process that started it: one JSON
// object per line on its stdout, each a TrainObserver call or the run's result, read back into
// the same calls there. So `train --nproc N` prints, and the app draws, what a run in one
// process would.

#include "core/train/trainer.h"

#include <cstdio>
#include <optional>
#include <string>

namespace sft {

class TrainEventWriter : public TrainObserver {
public:
    explicit TrainEventWriter(std::FILE* out) : out_(out) {}
    void onStep(const StepPoint& p) override;
    void onEvaluation(const EvalPoint& p) override;
    void onSample(int64_t epoch, const std::string& text) override;
    void onMessage(const std::string& text) override;
    void onResumed(int64_t stepsDone, const std::vector<StepPoint>& steps, const std::vector<EvalPoint>& evals) override;
    void writeResult(const TrainResult& result);

private:
    void write(const nlohmann::json& event);
    std::FILE* out_;
};

// Passes one line's event on to observer; the result once it comes. A line that is not an
// event (a library's own output) goes to observer.onMessage.
std::optional<TrainResult> readTrainEvent(const std::string& line, TrainObserver& observer);

} // namespace sft
