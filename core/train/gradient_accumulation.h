#pragma once
// One optimizer step's backward pass over several micro-batches (gradient accumulation).

#include "core/data/batcher.h"
#include "core/model/gpt.h"
#include "core/train/precision.h"

#include <vector>

namespace sft {

// Backpropagates every micro-batch into the gradients and returns the step's loss. Each
// micro-batch's mean loss is weighted by its share of the counted targets, so loss and
// gradients are those of one batch holding all of them (dividing by the number of
// micro-batches instead would weigh the targets of short micro-batches more). One micro-batch
// is the chapter's plain loss.backward().
double accumulateGradients(Gpt& model, const std::vector<Batch>& microBatches, bool headOnCountedTargets,
                           Precision precision);

} // namespace sft
