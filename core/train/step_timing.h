#pragma once
// How long a planned run takes on this machine, measured before it starts: the model loaded as
// the run would load it, one warm-up step, then one timed optimizer step of the run's shape
// (batch size × sequence length, gradient accumulation, precision, LoRA) on random token ids,
// done by the trainer's own step functions. An epoch's time follows from the dataset's size.

#include "core/train/train_options.h"
#include "core/util/job_control.h"

#include <cstdint>
#include <string>

namespace sft {

struct StepTiming {
    double secondsPerStep = 0;
    int64_t stepsPerEpoch = 0;
    int threads = 0;    // LibTorch's intra-op threads
    std::string device; // "cpu" or "cuda"
    double secondsPerEpoch() const { return secondsPerStep * double(stepsPerEpoch); }
};

// model: a model folder or a downloaded model's name; trainEntries: the training split's size.
// Checks `job` between the steps.
StepTiming measureTrainingStep(const std::string& model, const TrainOptions& options, int64_t sequenceLength,
                               int64_t trainEntries, const JobControl* job = nullptr);

} // namespace sft
