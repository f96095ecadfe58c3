#pragma once
// What a checkpoint holds beside its model folder so that the run continues exactly as if it
// had never stopped:
//   trainer-state.json  the loop's position (TrainingState); written last, so its presence
//                       marks a complete resumable checkpoint
//   optimizer.pt        AdamW's moments, step counts and settings (torch::save)
//   rng.pt              the global CPU generator (dropout draws from it), the training
//                       loader's generator and its current order

#include "core/data/batcher.h"
#include "core/train/training_state.h"

#include <torch/optim/optimizer.h>

#include <string>

namespace sft {

void writeResumeState(const std::string& dir, const torch::optim::Optimizer& optimizer, const DataLoader& loader,
                      const TrainingState& state);
bool hasResumeState(const std::string& dir);
TrainingState readTrainingState(const std::string& dir); // FormatError when unreadable
// Loads the optimizer's state (its parameters must be the checkpoint's model's, in order),
// the generators and the loader's order.
void restoreResumeState(const std::string& dir, torch::optim::Optimizer& optimizer, DataLoader& loader);

} // namespace sft
