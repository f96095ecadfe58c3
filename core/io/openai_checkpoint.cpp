#include "core/io/openai_checkpoint.h"

#include "core/io/config_file.h"
#include "core/io/tf_checkpoint.h"
#include "core/io/weight_source.h"
#include "core/io/weight_walk.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <torch/torch.h>

namespace sft {

namespace {

std::vector<WeightSlot> openAiSlots(Gpt& model)
{
    const auto name = [](WeightPart part, int64_t layer) { return weightName(WeightNames::OpenAi, part, layer); };
    std::vector<WeightSlot> slots;
    walkWeights(model, {[&](WeightPart part, torch::Tensor& weight) {
                            slots.push_back({name(part, -1), weight});
                        },
                        [&](WeightPart part, int64_t layer, LoraLinear& l) {
                            // TF's conv1d weights are [1, in, out].
                            slots.push_back({name(part, layer) + "/w", l->weight, WeightLayout::TransposedUnderOne});
                            if (l->bias.defined())
                                slots.push_back({name(part, layer) + "/b", l->bias});
                        },
                        [&](WeightPart part, int64_t layer, torch::nn::LayerNorm& n) {
                            slots.push_back({name(part, layer) + "/g", n->weight});
                            slots.push_back({name(part, layer) + "/b", n->bias});
                        }});
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
