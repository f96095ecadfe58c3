#pragma once
// The learning rate at each optimizer step: an optional linear warmup, then constant (the
// chapter's), cosine or linear decay to a floor. A pure function of the step, so a resumed
// run needs only the step to be back on its schedule.

#include "core/train/train_options.h"

#include <cstdint>

namespace sft {

class LrSchedule {
public:
    LrSchedule(const TrainOptions& options, int64_t totalSteps);

    // step: 0-based. Warmup rises to the peak in (step + 1) / warmup, so step 0 does not waste
    // its update on a zero rate; decay runs from the peak after warmup towards the floor.
    double at(int64_t step) const;
    int64_t warmupSteps() const { return warmup_; }

private:
    enum class Decay { None, Cosine, Linear };
    Decay decay_;
    double peak_;
    double floor_;
    int64_t warmup_;
    int64_t total_;
};

} // namespace sft
