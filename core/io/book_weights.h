#pragma once
// The book's own GPTModel names (tok_emb, pos_emb, trf_blocks.N.att.W_query / W_key / W_value /
// out_proj, trf_blocks.N.ff.layers.0 / .2, norm1 / norm2 scale and shift, final_norm,
// out_head), as in the .safetensors files published for the book. Linear weights are [out, in];
// the separate query, key and value projections are stacked into c_attn in that order.

#include "core/io/weight_source.h"
#include "core/model/gpt.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sft {

bool hasBookNames(const TensorMap& tensors);

// Sizes, layer count and qkv bias come from the tensors. The head count cannot: it is read from
// `configJson` (a config.json beside the weights, book or Hugging Face keys) when given, else
// taken from the GPT-2 of that width (768: 12, 1024: 16, 1280: 20, 1600: 25). Sizes the
// config.json states must agree with the tensors. WeightsError naming `file` / `configPath`.
GptConfig bookConfig(const TensorMap& tensors, const std::string& file, const nlohmann::json* configJson,
                     const std::string& configPath);

// Fills every parameter; a file without out_head.weight gets tok_emb as its head.
void loadBookWeights(Gpt& model, WeightSource& source);

} // namespace sft
