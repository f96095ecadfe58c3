#include "core/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace sft {

LrSchedule::LrSchedule(const TrainOptions& o, int64_t totalSteps)
    : decay_(o.lrSchedule == "cosine"   ? Decay::Cosine
             : o.lrSchedule == "linear" ? Decay::Linear
                                        : Decay::None),
      peak_(o.learningRate),
      floor_(o.minLearningRate),
      warmup_(o.warmupSteps > 0 ? o.warmupSteps : int64_t(std::llround(o.warmupRatio * double(totalSteps)))),
      total_(totalSteps)
{
}

double LrSchedule::at(int64_t step) const
{
    if (step < warmup_)
        return peak_ * double(step + 1) / double(warmup_);
    if (decay_ == Decay::None)
        return peak_;
    const double progress = std::clamp(double(step - warmup_) / double(std::max<int64_t>(1, total_ - warmup_)), 0.0, 1.0);
    const double shape = decay_ == Decay::Cosine ? 0.5 * (1.0 + std::cos(M_PI * progress)) : 1.0 - progress;
    return floor_ + (peak_ - floor_) * shape;
}

} // namespace sft
