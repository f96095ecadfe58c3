#pragma once
// What a run minimises: the chapter's cross-entropy on the responses (SFT), or DPO's preference
// loss against a frozen reference model. The trainer's schedule, checkpoints, resume and charts
// are the same for both; only the loss of a step and of an evaluation come from here.

#include "core/data/batcher.h"
#include "core/model/gpt.h"
#include "core/train/dpo_loss.h"
#include "core/train/precision.h"
#include "core/train/train_events.h"
#include "core/train/train_options.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sft {

struct LossReport {
    double loss = 0;
    std::optional<Rewards> rewards; // DPO
};

class Objective {
public:
    virtual ~Objective() = default;
    // Backpropagates one optimizer step's micro-batches into the gradients, each weighted by
    // its share of the step (counted targets for SFT, pairs for DPO), and returns the step's loss.
    // With a shard, only its rows: the gradients and the report are this process's part, and the
    // parts of all shards sum to the whole step's.
    virtual LossReport backward(Gpt& model, const std::vector<Batch>& microBatches, Precision precision,
                                RowShard shard = {}) = 0;
    // The mean over the first min(maxBatches, batches) batches of the loader's current order, in
    // evaluation mode without autograd (calc_loss_loader, compute_dpo_loss_loader); NaN when empty.
    // With a shard, this process's part of it, as for backward.
    virtual LossReport estimate(Gpt& model, const DataLoader& loader, int64_t maxBatches, RowShard shard = {}) = 0;
};

std::unique_ptr<Objective> crossEntropyObjective(bool headOnCountedTargets);
std::unique_ptr<Objective> preferenceObjective(ReferenceModel reference, double beta, bool headOnCountedTargets);

// A training run's objective. DPO's reference is the policy without its adapters
// (options.referenceIsBaseModel()), else the model at options.reference or at startModel, loaded
// onto the policy's device; ConfigError when its shape is not the policy's.
std::unique_ptr<Objective> trainingObjective(const TrainOptions& options, Gpt& policy, const std::string& startModel);

} // namespace sft
