#pragma once
// A model handed on as a Hugging Face GPT-2 folder: config.json (tie_word_embeddings false,
// since the head is the model's own), model.safetensors, the tokenizer's vocab.json and
// merges.txt, and a README.md model card saying what the model was made from.

#include "core/model/gpt.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sft {

// How a model was made, as far as known; an empty field is written as unknown.
struct ModelProvenance {
    std::string baseModel;
    std::string dataset;
    std::string templateName;
    std::string promptFormat;                          // the prompt text with {instruction} and {input}
    nlohmann::json settings = nlohmann::json::object(); // training settings, name -> value
};

void exportHuggingFace(const std::string& dir, Gpt& model, const Tokenizer& tokenizer,
                       const ModelProvenance& provenance);

// The README.md text: YAML front matter for the hub, then what the model is and how it was made.
std::string modelCard(const std::string& name, const GptConfig& config, const ModelProvenance& provenance);

} // namespace sft
