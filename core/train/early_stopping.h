#pragma once
// Watches the validation loss of each evaluation: whether it improved on the best so far (by
// more than minDelta), and whether `patience` evaluations in a row have not. Its state goes
// into checkpoints so that a resumed run stops where the uninterrupted one would.

#include <nlohmann/json.hpp>

#include <cstdint>

namespace sft {

class EarlyStopping {
public:
    EarlyStopping(int64_t patience, double minDelta) : patience_(patience), minDelta_(minDelta) {}

    // Returns true when valLoss is a new best. NaN never is.
    bool observe(double valLoss, int64_t step);
    // patience 0 never stops.
    bool shouldStop() const { return patience_ > 0 && sinceBest_ >= patience_; }
    double bestLoss() const { return best_; }
    int64_t bestStep() const { return bestStep_; }

    nlohmann::json toJson() const;
    void restore(const nlohmann::json& j);

private:
    int64_t patience_;
    double minDelta_;
    double best_ = 0;
    int64_t bestStep_ = -1; // -1: nothing observed yet
    int64_t sinceBest_ = 0;
};

} // namespace sft
