#include "core/train/dpo_loss.h"

#include "core/model/lora.h"
#include "core/util/error.h"

#include <torch/torch.h>

namespace sft {

torch::Tensor sequenceLogProbs(Gpt& model, const Batch& batch, bool headOnCountedTargets)
{
    const int64_t ignore = CollateOptions{}.ignoreIndex;
    const torch::Tensor counted = batch.targets.ne(ignore); // [R, T]
    const torch::Tensor perRow = counted.sum(1).to(torch::kFloat);
    if (!headOnCountedTargets) {
        const torch::Tensor logp = torch::log_softmax(model->forward(batch.inputs).to(torch::kFloat), -1);
        const torch::Tensor picked = logp.gather(-1, batch.targets.clamp_min(0).unsqueeze(-1)).squeeze(-1);
        return (picked * counted).sum(1) / perRow;
    }
    const torch::Tensor hidden = model->features(batch.inputs);
    const torch::Tensor logp = torch::log_softmax(model->head(hidden.index({counted})).to(torch::kFloat), -1);
    const torch::Tensor picked = logp.gather(-1, batch.targets.index({counted}).unsqueeze(-1)).squeeze(-1);
    const torch::Tensor rowOf = counted.nonzero().select(1, 0);
    return torch::zeros({batch.targets.size(0)}, picked.options()).index_add(0, rowOf, picked) / perRow;
}

PreferenceLoss dpoLoss(const torch::Tensor& policyChosen, const torch::Tensor& policyRejected,
                       const torch::Tensor& referenceChosen, const torch::Tensor& referenceRejected, double beta)
{
    const torch::Tensor logits = (policyChosen - policyRejected) - (referenceChosen - referenceRejected);
    PreferenceLoss out;
    out.loss = -torch::log_sigmoid(beta * logits).mean();
    out.chosenReward = (policyChosen - referenceChosen).detach().mean().item<double>();
    out.rejectedReward = (policyRejected - referenceRejected).detach().mean().item<double>();
    return out;
}

ReferenceModel ReferenceModel::separate(Gpt model)
{
    for (auto& p : model->parameters())
        p.set_requires_grad(false);
    model->eval();
    return ReferenceModel(std::move(model), false);
}

ReferenceModel ReferenceModel::policyWithoutAdapters(Gpt policy) { return ReferenceModel(std::move(policy), true); }

torch::Tensor ReferenceModel::logProbs(const Batch& batch, bool headOnCountedTargets)
{
    torch::NoGradGuard noGrad;
    if (!withoutAdapters_)
        return sequenceLogProbs(model_, batch, headOnCountedTargets);
    const bool wasTraining = model_->is_training();
    model_->eval();
    torch::Tensor out;
    {
        AdaptersDisabled base(model_);
        out = sequenceLogProbs(model_, batch, headOnCountedTargets);
    }
    model_->train(wasTraining);
    return out;
}

int64_t ReferenceModel::parameterBytes() const
{
    if (withoutAdapters_)
        return 0;
    int64_t bytes = 0;
    for (const auto& p : model_->parameters())
        bytes += p.numel() * int64_t(p.element_size());
    return bytes;
}

PreferenceLoss dpoBatchLoss(Gpt& policy, ReferenceModel& reference, const Batch& batch, double beta,
                            bool headOnCountedTargets)
{
    if (!batch.pairs)
        throw ConfigError("DPO needs preference pairs (entries with 'chosen' and 'rejected')");
    const int64_t pairs = batch.inputs.size(0) / 2;
    const torch::Tensor policyLogp = sequenceLogProbs(policy, batch, headOnCountedTargets);
    const torch::Tensor referenceLogp = reference.logProbs(batch, headOnCountedTargets);
    return dpoLoss(policyLogp.narrow(0, 0, pairs), policyLogp.narrow(0, pairs, pairs),
                   referenceLogp.narrow(0, 0, pairs), referenceLogp.narrow(0, pairs, pairs), beta);
}

} // namespace sft
