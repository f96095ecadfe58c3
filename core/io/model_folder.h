#pragma once
// A model folder is the Hugging Face GPT-2 layout: config.json, model.safetensors with HF names
// (Conv1D weights [in, out]; optional "transformer." prefix; lm_head.weight only when untied),
// and the tokenizer files. Loading maps and transposes into Gpt; saving writes the same layout,
// so a fine-tuned model is a model folder too. Loading also takes what else a chapter-7 reader
// has (see model_format.h): a .safetensors file with the book's names, or OpenAI's TensorFlow
// checkpoint folder.

#include "core/io/weight_source.h"
#include "core/model/gpt.h"
#include "core/tokenizer/tokenizer.h"

#include <optional>
#include <string>

namespace sft {

struct LoadedModel {
    GptConfig config;
    Gpt model{nullptr};
    std::string folder;
};

// A folder of LoRA adapters (lora_adapters.h) loads as the base model its adapter_config.json
// names with the adapters merged in, a plain model (Merge), or with them kept as adapters to go
// on training (Keep: base weights frozen; a folder holding a merged model too is then read as
// its adapters).
enum class Adapters { Merge, Keep };

// path: a folder or a weights file. Throws WeightsError naming the file and tensor (missing,
// wrong shape or dtype) or, for an unknown folder, what was looked for. `use`: see WeightUse;
// adapters merged on loading always get weights of their own.
LoadedModel loadModelFolder(const std::string& path, Adapters adapters = Adapters::Merge,
                            WeightUse use = WeightUse::Training);
// The shape of the model at `path` (a folder or weights file) from its config file alone, never
// the weights: Hugging Face's config.json or OpenAI's hparams.json, and for LoRA adapters saved
// alone, their base model's. nullopt when there is none (the book's .safetensors: its sizes are
// in its tensors). WeightsError when the config is invalid or the adapters' base is missing.
std::optional<GptConfig> readModelConfig(const std::string& path);
// Whether the path holds weights in one of the formats loadModelFolder reads.
bool isModelFolder(const std::string& path);

// Writes config.json (tie_word_embeddings false: the head is untied), model.safetensors with
// lm_head.weight, and the tokenizer's vocab.json + merges.txt when a tokenizer is given.
// A model with LoRA adapters is saved merged (W + scale * B A): the folder is a plain model
// that any GPT-2 reader loads, never holds adapter tensors, and `model` keeps its adapters.
void saveModelFolder(const std::string& dir, Gpt& model, const Tokenizer* tokenizer);

// The tokenizer of a model folder (of the folder of a weights file; of the base model of
// adapters saved without one), or of `overrideDir` when given; the error says how to get
// tokenizer files when none are found.
Tokenizer loadTokenizer(const std::string& modelDir, const std::string& overrideDir = {});

} // namespace sft
