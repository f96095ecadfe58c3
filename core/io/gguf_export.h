#pragma once
// A GPT-2 as a GGUF file in llama.cpp's "gpt2" architecture, so that llama.cpp, Ollama and
// LM Studio run it: gpt2.* hyperparameters, the byte-level BPE tokenizer (tokens spelled as in
// vocab.json, in id order; merges; <|endoftext|> as bos and eos), and the tensors token_embd,
// position_embd, blk.N.{attn_norm, attn_qkv, attn_output, ffn_norm, ffn_up, ffn_down},
// output_norm and output (the untied head). Linear weights keep their [out, in] layout, which
// ggml describes as {in, out}.

#include "core/io/gguf_writer.h"
#include "core/model/gpt.h"
#include "core/tokenizer/bpe_vocabulary.h"

#include <string>

namespace sft {

struct GgufExportOptions {
    GgmlType matrices = GgmlType::F32; // weight matrices and embeddings; norms and biases stay F32
    std::string name;                  // general.name
};

// ConfigError when the tokenizer's vocabulary is not the model's size.
void exportGguf(const std::string& path, Gpt& model, const BpeVocabulary& vocabulary,
                const GgufExportOptions& options);

// The tokenizer files of a folder (vocab.json + merges.txt, or encoder.json + vocab.bpe);
// FormatError naming the folder and what was looked for when neither pair is there.
BpeVocabulary readBpeVocabulary(const std::string& dir);

} // namespace sft
