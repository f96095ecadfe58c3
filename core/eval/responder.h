#pragma once
// The chapter's answer step: generate a response for every entry and keep it beside the entry.

#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/eval/generator.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sft {

// Each entry as read (every field kept) with `key` holding the extracted answer: the JSON
// shape of the chapter's instruction-data-with-response.json.
nlohmann::json respond(Gpt& model, const Tokenizer& tokenizer, const PromptTemplate& tmpl,
                       const std::vector<Entry>& entries, const GenerationOptions& options,
                       const std::string& key = "model_response", const ProgressFn& progress = {},
                       const JobControl* job = nullptr);

} // namespace sft
