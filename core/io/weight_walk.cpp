#include "core/io/weight_walk.h"

namespace sft {

void walkWeights(Gpt& model, const WeightVisitor& visit)
{
    visit.embedding(WeightPart::TokenEmbedding, model->wte->weight);
    visit.embedding(WeightPart::PositionEmbedding, model->wpe->weight);
    for (size_t i = 0; i < model->h->size(); ++i) {
        BlockImpl& block = model->h->at<BlockImpl>(i);
        const auto layer = int64_t(i);
        visit.norm(WeightPart::AttentionNorm, layer, block.ln_1);
        visit.linear(WeightPart::Attention, layer, block.attn->c_attn);
        visit.linear(WeightPart::AttentionOut, layer, block.attn->c_proj);
        visit.norm(WeightPart::FeedForwardNorm, layer, block.ln_2);
        visit.linear(WeightPart::FeedForwardUp, layer, block.mlp->c_fc);
        visit.linear(WeightPart::FeedForwardDown, layer, block.mlp->c_proj);
    }
    visit.norm(WeightPart::FinalNorm, -1, model->ln_f);
}

} // namespace sft
