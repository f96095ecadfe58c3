#pragma once
// Training as one call, the same for `sft-studio train` and the app's Train view: the front
// ends only turn flags or widgets into a TrainJob and the observer's reports into text or signals.
// A job of several processes (options.processes > 1) starts them here as well: the caller sees
// rank 0's reports and result as those of a run in one process.

#include "core/train/trainer.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace sft {

struct TrainJob {
    std::string model;     // a model folder, or a downloaded model's name (gpt2-small … gpt2-xl)
    std::string data;      // the instruction dataset
    std::string out;       // the new run folder
    std::string tokenizer; // empty: the model folder's
    TrainOptions options;
    bool strict = false;   // refuse a dataset with any invalid entry instead of skipping it

    nlohmann::json toJson() const;
    static TrainJob fromJson(const nlohmann::json& j);
};

struct ResumeJob {
    std::string runDir;
    int64_t moreEpochs = 0;
    std::optional<int64_t> processes; // none: as many as the run had
    std::optional<double> distTimeout; // none: the run's

    nlohmann::json toJson() const;
    static ResumeJob fromJson(const nlohmann::json& j);
};

// Loads the model, its tokenizer and the dataset (skipped entries and warnings reported
// through observer.onMessage), then trains into job.out. ConfigError for invalid options,
// before anything is loaded. Under torchrun's environment this process is one rank of the run.
TrainResult runTraining(const TrainJob& job, TrainObserver& observer, const JobControl* control = nullptr);
// Continues job.runDir (see resumeTraining), with the same or another number of processes.
TrainResult runResume(const ResumeJob& job, TrainObserver& observer, const JobControl* control = nullptr);

// What one rank started by runLocalRanks does: task is {"train": TrainJob} or {"resume": ResumeJob}.
TrainResult runRankTask(const nlohmann::json& task, TrainObserver& observer, const JobControl* control);

} // namespace sft
