#pragma once
// The chapter's answer step: generate a response for every entry and keep it beside the entry.

#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/generate/generator.h"
#include "core/util/jsonl_journal.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace sft {

// One batch's answers, by entry index, as soon as they are known.
using AnswersFn = std::function<void(const std::vector<size_t>& entries, const std::vector<std::string>& answers)>;

// Each entry as read (every field kept) with `key` holding the extracted answer: the JSON
// shape of the chapter's instruction-data-with-response.json.
nlohmann::json respond(Gpt& model, const Tokenizer& tokenizer, const PromptTemplate& tmpl,
                       const std::vector<Entry>& entries, const GenerationOptions& options,
                       const std::string& key = "model_response", const ProgressFn& progress = {},
                       const JobControl* job = nullptr);

// respond(), resumable: the prompts are decoded in generate()'s batches, one generate() call
// each, and every batch's answers go to `journal` ({"index", "answer"} lines) as soon as they
// are decoded. Answers the journal holds already are kept; a batch is decoded again only when
// one of its answers is missing, and whole, so that each answer comes from the same batch as
// in an uninterrupted run and equals it. Batch b samples with seed options.seed + b.
// `answered` hears of every batch: at once for those the journal holds, else once decoded.
// Throws FormatError for a journal line that names no entry of `entries`.
nlohmann::json respondJournaled(Gpt& model, const Tokenizer& tokenizer, const PromptTemplate& tmpl,
                                const std::vector<Entry>& entries, const GenerationOptions& options,
                                JsonlJournal& journal, const std::string& key = "model_response",
                                const ProgressFn& progress = {}, const JobControl* job = nullptr,
                                const AnswersFn& answered = {});

} // namespace sft
