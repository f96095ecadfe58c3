#pragma once
// The run's AdamW over the trainable parameters, and the gradient clipping of each step.

#include "core/model/gpt.h"
#include "core/train/train_options.h"

#include <torch/nn/module.h>
#include <torch/optim/adamw.h>

#include <memory>
#include <string>
#include <vector>

namespace sft {

// Biases and LayerNorm weights: what "no decay on biases and norms" leaves out.
bool isBiasOrNormParameter(const std::string& name);

// AdamW (FusedAdamW: one pass per parameter) over the parameters that require grad, in the
// module's order. With decayBiasAndNorm
// off they form two groups: the rest with the weight decay, biases and norms with none.
std::unique_ptr<torch::optim::AdamW> makeAdamW(torch::nn::Module& model, const TrainOptions& options);

struct TrainingSetup {
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<torch::Tensor> trainable; // the optimizer's parameters, for clipping
};

// The model made ready to train as the options say (their dropout; LoRA adapters added unless
// it has them, as a resumed LoRA run's checkpoint does; training mode) and its AdamW.
TrainingSetup prepareForTraining(Gpt& model, const TrainOptions& options);

// Sets every parameter group's learning rate (the schedule's value for the coming step).
void setLearningRate(torch::optim::AdamW& optimizer, double lr);

// Drops the gradients before a step's backward pass, which then hands each parameter the
// gradient it computed instead of adding it to zeros (torch's zero_grad(set_to_none=True)):
// two passes over the gradients' memory less per step, the same values.
void clearGradients(const std::vector<torch::Tensor>& parameters);

// One optimizer step, after clipping the gradients to maxNorm when > 0, returning their global
// L2 norm before clipping (clip_grad_norm_'s). Without clipping, FusedAdamW measures the norm in
// its own pass over the gradients, saving one.
double clipAndStep(torch::optim::AdamW& optimizer, const std::vector<torch::Tensor>& parameters, double maxNorm);

// The global L2 norm of the gradients, as torch.nn.utils.clip_grad_norm_ reports it; with
// maxNorm > 0 the gradients are also scaled down to that norm.
double clipGradients(const std::vector<torch::Tensor>& parameters, double maxNorm);

} // namespace sft
