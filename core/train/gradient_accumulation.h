#pragma once
// One optimizer step's backward pass over several micro-batches (gradient accumulation).

#include "core/data/batcher.h"
#include "core/model/gpt.h"
#include "core/train/precision.h"

#include <cstdint>
#include <vector>

namespace sft {

// Optimizer steps in an epoch of `batches` micro-batches: the last step takes what is left.
inline int64_t optimizerStepsPerEpoch(int64_t batches, int64_t accumulation)
{
    return (batches + accumulation - 1) / accumulation;
}

// Backpropagates every micro-batch into the gradients and returns the step's loss. Each
// micro-batch's mean loss is weighted by its share of the counted targets, so loss and
// gradients are those of one batch holding all of them (dividing by the number of
// micro-batches instead would weigh the targets of short micro-batches more). One micro-batch
// is the chapter's plain loss.backward().
// With a shard, only its rows are computed, each micro-batch weighted by the shard's counted
// targets over all of the step's: the gradients and the loss returned are this process's part
// of the step's, and the parts of all shards sum to them.
double accumulateGradients(Gpt& model, const std::vector<Batch>& microBatches, bool headOnCountedTargets,
                           Precision precision, RowShard shard = {});

} // namespace sft
