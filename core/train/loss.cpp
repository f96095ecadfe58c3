#include "core/train/loss.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <vector>

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

// One row of an evaluation batch, cut after its last counted target: what follows is padding,
// which a causal model's earlier positions never see.
struct EvalRow {
    size_t batch;
    torch::Tensor inputs, targets; // [L]
};

// The rows of batches' shards, each cut to its length, longest first.
std::vector<EvalRow> rowsByLength(const std::vector<Batch>& batches, RowShard shard, int64_t ignoreIndex)
{
    std::vector<EvalRow> rows;
    for (size_t b = 0; b < batches.size(); ++b) {
        const Batch part = shardOf(batches[b], shard);
        const torch::Tensor counted = part.targets.ne(ignoreIndex);
        const torch::Tensor positions = torch::arange(part.targets.size(1)).expand_as(part.targets);
        const torch::Tensor lengths = torch::where(counted, positions + 1, torch::zeros_like(positions)).amax(1);
        for (int64_t r = 0; r < part.targets.size(0); ++r)
            if (const int64_t length = lengths[r].item<int64_t>(); length > 0)
                rows.push_back({b, part.inputs[r].slice(0, 0, length), part.targets[r].slice(0, 0, length)});
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const EvalRow& a, const EvalRow& c) { return a.inputs.size(0) > c.inputs.size(0); });
    return rows;
}

// The chapter's per-batch losses without computing padding: the rows of all the batches
// regrouped by length into batches of as many rows, padded to their own longest, the
// cross-entropy summed per original batch and divided by that batch's counted targets (the
// whole batch's, so that the shards' parts sum to it). The same terms as batchLoss, summed in
// another order.
std::vector<double> losses(Gpt& model, const std::vector<Batch>& batches, int64_t rowsPerGroup, RowShard shard,
                           int64_t ignoreIndex)
{
    const std::vector<EvalRow> rows = rowsByLength(batches, shard, ignoreIndex);
    std::vector<double> sums(batches.size(), 0.0);
    for (size_t first = 0; first < rows.size(); first += size_t(rowsPerGroup)) {
        const size_t end = std::min(rows.size(), first + size_t(rowsPerGroup));
        const int64_t longest = rows[first].inputs.size(0);
        torch::Tensor inputs = torch::zeros({int64_t(end - first), longest}, torch::kLong);
        torch::Tensor targets = torch::full({int64_t(end - first), longest}, ignoreIndex, torch::kLong);
        for (size_t r = first; r < end; ++r) {
            inputs[int64_t(r - first)].slice(0, 0, rows[r].inputs.size(0)).copy_(rows[r].inputs);
            targets[int64_t(r - first)].slice(0, 0, rows[r].targets.size(0)).copy_(rows[r].targets);
        }
        const torch::Tensor counted = targets.ne(ignoreIndex);
        const torch::Tensor logits = model->head(model->features(inputs).index({counted})).to(torch::kFloat);
        const torch::Tensor terms = torch::nn::functional::cross_entropy(
            logits, targets.index({counted}), torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
        const torch::Tensor perRow = torch::zeros({int64_t(end - first)}, torch::kDouble)
                                         .index_add_(0, counted.nonzero().select(1, 0), terms.to(torch::kDouble));
        for (size_t r = first; r < end; ++r)
            sums[rows[r].batch] += perRow[int64_t(r - first)].item<double>();
    }
    std::vector<double> result(batches.size());
    for (size_t b = 0; b < batches.size(); ++b) {
        const int64_t counted = countedTargets(batches[b], ignoreIndex);
        result[b] = counted > 0 ? sums[b] / double(counted) : std::numeric_limits<double>::quiet_NaN();
    }
    return result;
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
        if (headOnCountedTargets) {
            std::vector<Batch> all;
            for (int64_t i = 0; i < batches; ++i)
                all.push_back(loader.batch(i));
            for (double loss : losses(model, all, all.front().inputs.size(0), shard, -100))
                total += loss;
        } else {
            for (int64_t i = 0; i < batches; ++i)
                total += shardLoss(model, loader.batch(i), headOnCountedTargets, shard);
        }
    }
    model->train(wasTraining);
    return total / double(batches);
}

} // namespace sft
