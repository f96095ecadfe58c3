#pragma once
// The chapter's loss: mean cross-entropy over the targets that are not ignored (-100).

#include "core/data/batcher.h"
#include "core/model/gpt.h"

#include <cstdint>

namespace sft {

// headOnCountedTargets: apply the output head only at positions whose target counts. The
// ignored positions contribute nothing to the mean, so the loss is the same while the
// [positions x vocab] head matmul (a quarter of gpt2-small's FLOPs) shrinks to the counted rows.
torch::Tensor batchLoss(Gpt& model, const Batch& batch, bool headOnCountedTargets = true,
                        int64_t ignoreIndex = -100);

// The chapter's calc_loss_loader: the mean of per-batch losses over the first
// min(maxBatches, batches) batches of the loader's current order; NaN for an empty loader.
// Runs in eval mode without autograd and restores the model's mode afterwards. With the head
// on counted targets, the batches' rows are regrouped by length so that no padding is computed
// (the same terms, summed in another order); with the full head, the chapter's computation.
// With a shard: this process's part of that mean, each batch's loss over its shard's rows
// weighted by their share of the batch's counted targets; the parts of all shards sum to it.
double meanLoss(Gpt& model, const DataLoader& loader, int64_t maxBatches,
                bool headOnCountedTargets = true, RowShard shard = {});

} // namespace sft
