#include "core/train/objective.h"

#include "core/io/model_folder.h"
#include "core/train/gradient_accumulation.h"
#include "core/train/loss.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

namespace sft {

namespace {

class CrossEntropy : public Objective {
public:
    explicit CrossEntropy(bool headOnCountedTargets) : headOnCounted_(headOnCountedTargets) {}

    LossReport backward(Gpt& model, const std::vector<Batch>& microBatches, Precision precision,
                        RowShard shard) override
    {
        return {accumulateGradients(model, microBatches, headOnCounted_, precision, shard), std::nullopt};
    }
    LossReport estimate(Gpt& model, const DataLoader& loader, int64_t maxBatches, RowShard shard) override
    {
        return {meanLoss(model, loader, maxBatches, headOnCounted_, shard), std::nullopt};
    }

private:
    bool headOnCounted_;
};

class Preference : public Objective {
public:
    Preference(ReferenceModel reference, double beta, bool headOnCountedTargets)
        : reference_(std::move(reference)), beta_(beta), headOnCounted_(headOnCountedTargets)
    {
    }

    // The loss is a mean over pairs, so a micro-batch (or its shard) weighs by its share of the
    // step's pairs.
    LossReport backward(Gpt& model, const std::vector<Batch>& microBatches, Precision precision,
                        RowShard shard) override
    {
        const bool cuda = model->parameters().front().is_cuda();
        int64_t all = 0;
        for (const Batch& b : microBatches)
            all += b.inputs.size(0) / 2;
        LossReport step{0, Rewards{}};
        for (const Batch& whole : microBatches) {
            const Batch b = shardOf(whole, shard);
            if (b.inputs.size(0) == 0)
                continue;
            const double share = double(b.inputs.size(0) / 2) / double(all);
            PreferenceLoss part;
            {
                AutocastScope autocast(precision, cuda);
                part = dpoBatchLoss(model, reference_, b, beta_, headOnCounted_);
            }
            (part.loss * share).backward();
            step.loss += part.loss.item<double>() * share;
            step.rewards->chosen += part.chosenReward * share;
            step.rewards->rejected += part.rejectedReward * share;
        }
        return step;
    }

    LossReport estimate(Gpt& model, const DataLoader& loader, int64_t maxBatches, RowShard shard) override
    {
        const int64_t batches = std::min(maxBatches, loader.numBatches());
        if (batches <= 0) {
            const double nan = std::numeric_limits<double>::quiet_NaN();
            return {nan, Rewards{nan, nan}};
        }
        const bool wasTraining = model->is_training();
        model->eval();
        LossReport mean{0, Rewards{}};
        {
            torch::NoGradGuard noGrad;
            for (int64_t i = 0; i < batches; ++i) {
                const Batch whole = loader.batch(i);
                const Batch part = shardOf(whole, shard);
                if (part.inputs.size(0) == 0)
                    continue;
                const double share = double(part.inputs.size(0)) / double(whole.inputs.size(0));
                const PreferenceLoss b = dpoBatchLoss(model, reference_, part, beta_, headOnCounted_);
                mean.loss += b.loss.item<double>() * share;
                mean.rewards->chosen += b.chosenReward * share;
                mean.rewards->rejected += b.rejectedReward * share;
            }
        }
        model->train(wasTraining);
        mean.loss /= double(batches);
        mean.rewards->chosen /= double(batches);
        mean.rewards->rejected /= double(batches);
        return mean;
    }

private:
    ReferenceModel reference_;
    double beta_;
    bool headOnCounted_;
};

} // namespace

std::unique_ptr<Objective> crossEntropyObjective(bool headOnCountedTargets)
{
    return std::make_unique<CrossEntropy>(headOnCountedTargets);
}

std::unique_ptr<Objective> preferenceObjective(ReferenceModel reference, double beta, bool headOnCountedTargets)
{
    return std::make_unique<Preference>(std::move(reference), beta, headOnCountedTargets);
}

std::unique_ptr<Objective> trainingObjective(const TrainOptions& options, Gpt& policy, const std::string& startModel)
{
    if (!options.isDpo())
        return crossEntropyObjective(options.headOnCountedTargets);
    if (options.referenceIsBaseModel())
        return preferenceObjective(ReferenceModel::policyWithoutAdapters(policy), options.dpoBeta,
                                   options.headOnCountedTargets);
    const std::string path = options.reference.value_or(startModel);
    LoadedModel reference = loadModelFolder(path);
    const GptConfig &a = reference.config, &b = policy->config();
    if (a.vocabSize != b.vocabSize || a.embDim != b.embDim || a.nLayers != b.nLayers || a.nHeads != b.nHeads)
        throw ConfigError("the reference model " + path + " has another shape than the model trained (" +
                          std::to_string(a.parameterCount()) + " parameters against " +
                          std::to_string(b.parameterCount()) + "); DPO compares the two on the same tokens");
    reference.model->to(policy->parameters().front().device());
    return preferenceObjective(ReferenceModel::separate(reference.model), options.dpoBeta,
                               options.headOnCountedTargets);
}

} // namespace sft
