#include "core/io/openai_checkpoint.h"

#include "core/io/config_file.h"
#include "core/io/tf_checkpoint.h"
#include "core/io/weight_source.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <torch/torch.h>

namespace sft {

namespace {

void conv1d(std::vector<WeightSlot>& slots, const std::string& name, LoraLinear& l)
{
    slots.push_back({name + "/w", l->weight, WeightLayout::TransposedUnderOne});
    if (l->bias.defined())
        slots.push_back({name + "/b", l->bias});
}

void norm(std::vector<WeightSlot>& slots, const std::string& name, torch::nn::LayerNorm& n)
{
    slots.push_back({name + "/g", n->weight});
    slots.push_back({name + "/b", n->bias});
}

std::vector<WeightSlot> openAiSlots(Gpt& model)
{
    std::vector<WeightSlot> slots{{"model/wte", model->wte->weight}, {"model/wpe", model->wpe->weight}};
    for (size_t i = 0; i < model->h->size(); ++i) {
        BlockImpl& block = model->h->at<BlockImpl>(i);
        const std::string prefix = "model/h" + std::to_string(i) + "/";
        norm(slots, prefix + "ln_1", block.ln_1);
        conv1d(slots, prefix + "attn/c_attn", block.attn->c_attn);
        conv1d(slots, prefix + "attn/c_proj", block.attn->c_proj);
        norm(slots, prefix + "ln_2", block.ln_2);
        conv1d(slots, prefix + "mlp/c_fc", block.mlp->c_fc);
        conv1d(slots, prefix + "mlp/c_proj", block.mlp->c_proj);
    }
    norm(slots, "model/ln_f", model->ln_f);
    return slots;
}

} // namespace

Gpt loadOpenAiCheckpoint(const std::string& folder, const std::string& prefix)
{
    const std::string hparams = folder + "/hparams.json";
    if (!fileExists(hparams))
        throw WeightsError(folder + " has no hparams.json, which OpenAI's GPT-2 folders hold beside the checkpoint");
    Gpt model(readGptConfigFile(hparams));
    WeightSource source(readTfCheckpoint(prefix), prefix, "this hparams.json");
    source.fill(openAiSlots(model));
    source.requireAllTaken();
    torch::NoGradGuard noGrad;
    model->lm_head->weight.copy_(model->wte->weight);
    return model;
}

} // namespace sft
