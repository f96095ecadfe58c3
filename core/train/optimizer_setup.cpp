#include "core/train/optimizer_setup.h"

#include "core/model/lora.h"
#include "core/train/fused_adamw.h"

#include <torch/torch.h>

#include <regex>

namespace sft {

// GPT-2's Hugging Face names: "....bias", and ln_1, ln_2, ln_f for the LayerNorms.
bool isBiasOrNormParameter(const std::string& name)
{
    static const std::regex pattern(R"((^|\.)(bias|ln_[^.]*\.weight)$)");
    return std::regex_search(name, pattern);
}

std::unique_ptr<torch::optim::AdamW> makeAdamW(torch::nn::Module& model, const TrainOptions& o)
{
    const auto options = torch::optim::AdamWOptions(o.learningRate)
                             .betas({o.beta1, o.beta2})
                             .eps(o.adamEps)
                             .weight_decay(o.weightDecay);
    std::vector<torch::Tensor> decayed, undecayed;
    for (const auto& item : model.named_parameters()) {
        if (!item.value().requires_grad())
            continue;
        (o.decayBiasAndNorm || !isBiasOrNormParameter(item.key()) ? decayed : undecayed).push_back(item.value());
    }
    if (undecayed.empty())
        return std::make_unique<FusedAdamW>(decayed, options);
    auto none = std::make_unique<torch::optim::AdamWOptions>(options);
    none->weight_decay(0);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decayed);
    groups.emplace_back(undecayed, std::move(none));
    return std::make_unique<FusedAdamW>(groups, options);
}

TrainingSetup prepareForTraining(Gpt& model, const TrainOptions& options)
{
    if (options.dropout)
        model->setDropRate(*options.dropout);
    if (options.lora && !hasLora(model))
        addLora(model, *options.lora, options.seed);
    model->train();
    TrainingSetup setup{makeAdamW(*model, options), {}};
    for (const auto& group : setup.optimizer->param_groups())
        setup.trainable.insert(setup.trainable.end(), group.params().begin(), group.params().end());
    return setup;
}

void setLearningRate(torch::optim::AdamW& optimizer, double lr)
{
    for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

void clearGradients(const std::vector<torch::Tensor>& parameters)
{
    for (const torch::Tensor& p : parameters)
        p.mutable_grad().reset();
}

double clipAndStep(torch::optim::AdamW& optimizer, const std::vector<torch::Tensor>& parameters, double maxNorm)
{
    if (maxNorm > 0) {
        const double norm = clipGradients(parameters, maxNorm);
        optimizer.step();
        return norm;
    }
    optimizer.step();
    const auto* fused = dynamic_cast<const FusedAdamW*>(&optimizer);
    if (fused && fused->lastGradientNorm())
        return *fused->lastGradientNorm();
    return clipGradients(parameters, 0); // the step changed the weights, not the gradients
}

double clipGradients(const std::vector<torch::Tensor>& parameters, double maxNorm)
{
    if (maxNorm > 0)
        return torch::nn::utils::clip_grad_norm_(parameters, maxNorm);
    std::vector<torch::Tensor> norms;
    for (const torch::Tensor& p : parameters)
        if (p.grad().defined())
            norms.push_back(p.grad().norm());
    return norms.empty() ? 0.0 : torch::stack(norms).norm().item<double>();
}

} // namespace sft
