#include "core/train/loss.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

namespace sft {

torch::Tensor batchLoss(Gpt& model, const Batch& batch, bool headOnCountedTargets, int64_t ignoreIndex)
{
    namespace F = torch::nn::functional;
    const auto options = F::CrossEntropyFuncOptions().ignore_index(ignoreIndex);
    if (!headOnCountedTargets) {
        // In float even under bf16 autocast (a no-op for float logits): the softmax over 50257
        // classes is where bf16's 8-bit mantissa would cost the loss its precision.
        const torch::Tensor logits = model->forward(batch.inputs).to(torch::kFloat);
        return F::cross_entropy(logits.flatten(0, 1), batch.targets.flatten(), options);
    }
    const torch::Tensor hidden = model->features(batch.inputs);   // [B, T, d]
    const torch::Tensor counted = batch.targets.ne(ignoreIndex);   // [B, T]
    const torch::Tensor logits = model->head(hidden.index({counted})).to(torch::kFloat); // [N, V]
    return F::cross_entropy(logits, batch.targets.index({counted}), options);
}

namespace {

double shardLoss(Gpt& model, const Batch& whole, bool headOnCountedTargets, RowShard shard)
{
    if (shard.whole())
        return batchLoss(model, whole, headOnCountedTargets).item<double>();
    const Batch part = shardOf(whole, shard);
    const int64_t counted = countedTargets(part);
    if (counted == 0)
        return 0;
    return batchLoss(model, part, headOnCountedTargets).item<double>() * double(counted) / double(countedTargets(whole));
}

} // namespace

double meanLoss(Gpt& model, const DataLoader& loader, int64_t maxBatches, bool headOnCountedTargets, RowShard shard)
{
    const int64_t batches = std::min(maxBatches, loader.numBatches());
    if (batches <= 0)
        return std::numeric_limits<double>::quiet_NaN();
    const bool wasTraining = model->is_training();
    model->eval();
    double total = 0;
    {
        c10::InferenceMode guard;
        for (int64_t i = 0; i < batches; ++i)
            total += shardLoss(model, loader.batch(i), headOnCountedTargets, shard);
    }
    model->train(wasTraining);
    return total / double(batches);
}

} // namespace sft
