#include "core/train/early_stopping.h"

#include <cmath>

namespace sft {

bool EarlyStopping::observe(double valLoss, int64_t step)
{
    const bool improved = !std::isnan(valLoss) && (bestStep_ < 0 || valLoss < best_ - minDelta_);
    if (improved) {
        best_ = valLoss;
        bestStep_ = step;
        sinceBest_ = 0;
    } else {
        ++sinceBest_;
    }
    return improved;
}

nlohmann::json EarlyStopping::toJson() const
{
    return {{"best_val_loss", best_}, {"best_step", bestStep_}, {"evals_since_best", sinceBest_}};
}

void EarlyStopping::restore(const nlohmann::json& j)
{
    best_ = j.at("best_val_loss").get<double>();
    bestStep_ = j.at("best_step").get<int64_t>();
    sinceBest_ = j.at("evals_since_best").get<int64_t>();
}

} // namespace sft
