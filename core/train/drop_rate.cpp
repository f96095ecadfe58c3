#include "core/train/drop_rate.h"

#include <torch/torch.h>

namespace sft {

Gpt withDropRate(Gpt& model, double rate)
{
    GptConfig config = model->config();
    config.dropRate = rate;
    Gpt copy(config);
    torch::NoGradGuard noGrad;
    const auto parameters = model->named_parameters();
    for (auto& item : copy->named_parameters())
        item.value().copy_(parameters[item.key()]);
    const auto buffers = model->named_buffers();
    for (auto& item : copy->named_buffers())
        item.value().copy_(buffers[item.key()]);
    copy->train();
    return copy;
}

} // namespace sft
