#include "core/train/training_state.h"

#include "core/util/error.h"

namespace sft {

nlohmann::json TrainingState::toJson() const
{
    return {{"steps_done", stepsDone},
            {"epoch", epoch},
            {"next_batch", nextBatch},
            {"tokens_seen", tokensSeen},
            {"elapsed_s", elapsedSeconds},
            {"early_stopping", earlyStopping}};
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
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(std::string("trainer state: ") + e.what());
    }
}

} // namespace sft
