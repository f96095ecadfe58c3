#pragma once
// OpenAI's GPT-2 release folder, as the chapter's gpt_download.py leaves it (gpt2/355M/):
// hparams.json, the TensorFlow checkpoint (checkpoint, model.ckpt.index, model.ckpt.data-*),
// encoder.json and vocab.bpe. Variables: model/wte, model/wpe, model/h<N>/ln_1/{g,b},
// attn/c_attn/{w,b}, attn/c_proj/{w,b}, ln_2/{g,b}, mlp/c_fc/{w,b}, mlp/c_proj/{w,b}, and
// model/ln_f/{g,b}; conv1d weights are [1, in, out]. The head is wte itself, so the loaded
// model's own head starts as a copy of it, as the chapter's load_weights_into_gpt does.

#include "core/model/gpt.h"

#include <string>

namespace sft {

// folder: holds hparams.json; prefix: the checkpoint ("<folder>/model.ckpt").
Gpt loadOpenAiCheckpoint(const std::string& folder, const std::string& prefix);

} // namespace sft
