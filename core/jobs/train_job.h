#pragma once
// Training as one call, the same for `sft-studio train` and the app's Train view: the front
// ends only turn flags or widgets into a TrainJob and the observer's reports into text or signals.

#include "core/train/trainer.h"

#include <string>

namespace sft {

struct TrainJob {
    std::string model;     // a model folder, or a downloaded model's name (gpt2-small … gpt2-xl)
    std::string data;      // the instruction dataset
    std::string out;       // the new run folder
    std::string tokenizer; // empty: the model folder's
    TrainOptions options;
    bool strict = false;   // refuse a dataset with any invalid entry instead of skipping it
};

// Loads the model, its tokenizer and the dataset (skipped entries and warnings reported
// through observer.onMessage), then trains into job.out. ConfigError for invalid options,
// before anything is loaded.
TrainResult runTraining(const TrainJob& job, TrainObserver& observer, const JobControl* control = nullptr);

} // namespace sft
