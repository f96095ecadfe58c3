#pragma once
// Direct Preference Optimization (Rafailov et al. 2023) as the book's dpo-from-scratch notebook
// computes it: per-sequence mean log-probabilities of the answer tokens under the policy and a
// frozen reference model, and the loss -log sigmoid(beta * (policy margin - reference margin)).

#include "core/data/batcher.h"
#include "core/model/gpt.h"

#include <memory>

namespace sft {

// The notebook's compute_logprobs for a batch of pairBatch rows: per row, the mean over its
// counted targets of log softmax(logits)[target], [rows] float. headOnCountedTargets applies the
// output head only where a target counts (same values, less work).
torch::Tensor sequenceLogProbs(Gpt& model, const Batch& batch, bool headOnCountedTargets = true);

struct PreferenceLoss {
    torch::Tensor loss;       // mean over the pairs, differentiable in the policy's log-probabilities
    double chosenReward = 0;  // mean of policy - reference log-probability of the chosen answers
    double rejectedReward = 0; // the same for the rejected answers
};

// The notebook's compute_dpo_loss from the four [pairs] log-probability vectors.
PreferenceLoss dpoLoss(const torch::Tensor& policyChosen, const torch::Tensor& policyRejected,
                       const torch::Tensor& referenceChosen, const torch::Tensor& referenceRejected, double beta);

// The frozen model DPO measures the policy against: a model of its own, or the policy itself
// with its LoRA adapters switched off (the base model, without a second copy of its weights).
// Its log-probabilities are computed in evaluation mode, without autograd.
class ReferenceModel {
public:
    static ReferenceModel separate(Gpt model);
    static ReferenceModel policyWithoutAdapters(Gpt policy);

    torch::Tensor logProbs(const Batch& batch, bool headOnCountedTargets);
    bool sharesPolicyWeights() const { return withoutAdapters_; }
    int64_t parameterBytes() const; // the memory its own weights take; 0 when shared

private:
    ReferenceModel(Gpt model, bool withoutAdapters) : model_(std::move(model)), withoutAdapters_(withoutAdapters) {}
    Gpt model_;
    bool withoutAdapters_;
};

// The notebook's compute_dpo_loss_batch for one pairBatch.
PreferenceLoss dpoBatchLoss(Gpt& policy, ReferenceModel& reference, const Batch& batch, double beta,
                            bool headOnCountedTargets = true);

} // namespace sft
