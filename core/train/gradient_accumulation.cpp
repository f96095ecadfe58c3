#include "core/train/gradient_accumulation.h"

#include "core/train/loss.h"

#include <torch/torch.h>

namespace sft {

double accumulateGradients(Gpt& model, const std::vector<Batch>& microBatches, bool headOnCountedTargets,
                           Precision precision, RowShard shard)
{
    const bool cuda = model->parameters().front().is_cuda();
    if (microBatches.size() == 1 && shard.whole()) {
        torch::Tensor loss;
        {
            AutocastScope autocast(precision, cuda);
            loss = batchLoss(model, microBatches.front(), headOnCountedTargets);
        }
        loss.backward();
        return loss.item<double>();
    }
    int64_t all = 0;
    for (const Batch& b : microBatches)
        all += countedTargets(b);
    double total = 0;
    for (const Batch& whole : microBatches) {
        const Batch b = shardOf(whole, shard);
        const int64_t counted = countedTargets(b);
        if (counted == 0)
            continue;
        torch::Tensor loss;
        {
            AutocastScope autocast(precision, cuda);
            loss = batchLoss(model, b, headOnCountedTargets) * (double(counted) / double(all));
        }
        loss.backward();
        total += loss.item<double>();
    }
    return total;
}

} // namespace sft
