#pragma once
// `train --nproc N` and the Train view's "Processes": N copies of sft-studio on this machine as
// the ranks of one run, started as `torchrun --standalone --nproc-per-node N` starts them. This
// process holds their rendezvous store, gives each its share of the cores, passes rank 0's
// reports on, forwards a stop to all of them, and stops them all when one of them fails.

#include "core/train/trainer.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sft {

// task: what each rank runs (runRankTask). runDir: the run's folder, where the ranks' logs go
// (logs/rank-K.log). DistributedError naming the rank when one fails; the run stays resumable
// from its last checkpoint.
TrainResult runLocalRanks(const nlohmann::json& task, int processes, double timeoutSeconds, const std::string& runDir,
                          TrainObserver& observer, const JobControl* control);

// The sft-studio program the ranks run: this one, or SFT_STUDIO_PROGRAM, or the one beside this
// program (a test's); ConfigError when there is none.
std::string studioProgram();

} // namespace sft
