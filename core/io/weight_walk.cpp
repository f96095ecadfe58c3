#include "core/io/weight_walk.h"

namespace sft {

namespace {

// One row per part: Hugging Face, the book, OpenAI's checkpoint, GGUF.
struct PartNames {
    WeightPart part;
    const char* names[4];
};

constexpr PartNames kPartNames[] = {
    {WeightPart::TokenEmbedding, {"wte", "tok_emb", "model/wte", "token_embd"}},
    {WeightPart::PositionEmbedding, {"wpe", "pos_emb", "model/wpe", "position_embd"}},
    {WeightPart::AttentionNorm, {"ln_1", "norm1", "ln_1", "attn_norm"}},
    {WeightPart::Attention, {"attn.c_attn", "att.", "attn/c_attn", "attn_qkv"}},
    {WeightPart::AttentionOut, {"attn.c_proj", "att.out_proj", "attn/c_proj", "attn_output"}},
    {WeightPart::FeedForwardNorm, {"ln_2", "norm2", "ln_2", "ffn_norm"}},
    {WeightPart::FeedForwardUp, {"mlp.c_fc", "ff.layers.0", "mlp/c_fc", "ffn_up"}},
    {WeightPart::FeedForwardDown, {"mlp.c_proj", "ff.layers.2", "mlp/c_proj", "ffn_down"}},
    {WeightPart::FinalNorm, {"ln_f", "final_norm", "model/ln_f", "output_norm"}},
};

std::string blockPrefix(WeightNames names, int64_t layer)
{
    const std::string n = std::to_string(layer);
    switch (names) {
    case WeightNames::HuggingFace: return "h." + n + ".";
    case WeightNames::Book: return "trf_blocks." + n + ".";
    case WeightNames::OpenAi: return "model/h" + n + "/";
    case WeightNames::Gguf: return "blk." + n + ".";
    }
    return {};
}

} // namespace

std::string weightName(WeightNames names, WeightPart part, int64_t layer)
{
    for (const PartNames& row : kPartNames)
        if (row.part == part)
            return (layer >= 0 ? blockPrefix(names, layer) : std::string()) + row.names[int(names)];
    return {};
}

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
