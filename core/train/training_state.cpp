#include "core/train/training_state.h"

#include "core/util/error.h"

namespace sft {

void StepLossMean::add(double loss, const std::optional<Rewards>& rewards)
{
    ++steps;
    lossSum += loss;
    if (rewards) {
        rewarded = true;
        chosenSum += rewards->chosen;
        rejectedSum += rewards->rejected;
    }
}

std::optional<Rewards> StepLossMean::rewards() const
{
    if (!rewarded)
        return std::nullopt;
    return Rewards{chosenSum / double(steps), rejectedSum / double(steps)};
}

nlohmann::json StepLossMean::toJson() const
{
    nlohmann::json j = {{"steps", steps}, {"loss_sum", lossSum}};
    if (rewarded)
        j["reward_sums"] = {chosenSum, rejectedSum};
    return j;
}

StepLossMean StepLossMean::fromJson(const nlohmann::json& j)
{
    StepLossMean m;
    m.steps = j.at("steps").get<int64_t>();
    m.lossSum = j.at("loss_sum").get<double>();
    if (j.contains("reward_sums")) {
        m.rewarded = true;
        m.chosenSum = j.at("reward_sums").at(0).get<double>();
        m.rejectedSum = j.at("reward_sums").at(1).get<double>();
    }
    return m;
}

nlohmann::json TrainingState::toJson() const
{
    return {{"steps_done", stepsDone},
            {"epoch", epoch},
            {"next_batch", nextBatch},
            {"tokens_seen", tokensSeen},
            {"elapsed_s", elapsedSeconds},
            {"early_stopping", earlyStopping},
            {"steps_since_evaluation", sinceEvaluation.toJson()}};
}

TrainingState TrainingState::fromJson(const nlohmann::json& j)
{
    try {
        TrainingState s;
        s.stepsDone = j.at("steps_done").get<int64_t>();
        s.epoch = j.at("epoch").get<int64_t>();
        s.nextBatch = j.at("next_batch").get<int64_t>();
        s.tokensSeen = j.at("tokens_seen").get<int64_t>();
        s.elapsedSeconds = j.at("elapsed_s").get<double>();
        s.earlyStopping = j.at("early_stopping");
        // Checkpoints written before the key existed: the mean starts again at the next step.
        if (j.contains("steps_since_evaluation"))
            s.sinceEvaluation = StepLossMean::fromJson(j.at("steps_since_evaluation"));
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("trainer state: ") + e.what());
    }
}

} // namespace sft
