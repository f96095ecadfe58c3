#pragma once
// The weights of a GPT-2 visited in one order, each with what it is: the single walk that every
// weight format follows (Hugging Face folders, the book's files, OpenAI's TensorFlow checkpoint,
// GGUF), naming the parts in its own words with a name function of its own. The output head is
// not visited: formats differ in whether they store it (tied embeddings) or not.

#include "core/model/gpt.h"

#include <cstdint>
#include <functional>
#include <string>

namespace sft {

enum class WeightPart {
    TokenEmbedding,
    PositionEmbedding,
    AttentionNorm,   // per block, in this order ...
    Attention,       // the fused q/k/v projection (c_attn)
    AttentionOut,
    FeedForwardNorm,
    FeedForwardUp,
    FeedForwardDown, // ... to here
    FinalNorm,
};

struct WeightVisitor {
    std::function<void(WeightPart, torch::Tensor& weight)> embedding;
    std::function<void(WeightPart, int64_t layer, LoraLinear& linear)> linear;
    std::function<void(WeightPart, int64_t layer, torch::nn::LayerNorm& norm)> norm; // layer -1: the final norm
};

void walkWeights(Gpt& model, const WeightVisitor& visit);

// The formats' names of the parts, without the suffixes each adds for weight and bias.
enum class WeightNames { HuggingFace, Book, OpenAi, Gguf };
// "h.3.attn.c_attn", "trf_blocks.3.att.", "model/h3/attn/c_attn", "blk.3.attn_qkv". The book
// splits c_attn into W_query, W_key and W_value, which follow its name.
std::string weightName(WeightNames names, WeightPart part, int64_t layer);

} // namespace sft
