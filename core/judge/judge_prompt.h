#pragma once
// What the judge is asked. A judge prompt is a text with three fields, filled in per entry:
// {prompt} (the entry as the model saw it: the chapter's format_input), {output} (the
// reference answer) and {response} (the answer being judged). The texts are plain data so the
// GUI can show and edit them.

#include "core/data/dataset.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sft {

class JudgePrompt {
public:
    // The chapter's words (ollama_evaluate.py), so means are comparable with its 50.32.
    static JudgePrompt chapter();
    // Anchored score bands, reasoning before the score; less central clustering.
    static JudgePrompt rubric();
    // "chapter", "rubric", or a path to a text file holding a custom prompt.
    static JudgePrompt byName(const std::string& nameOrPath);
    // Throws ConfigError when the text lacks {response}: the judge would never see the answer.
    static JudgePrompt custom(const std::string& name, const std::string& text);

    const std::string& name() const { return name_; }
    const std::string& text() const { return text_; }
    std::string sha256() const;
    std::string render(const Entry& entry, const std::string& response) const;

private:
    JudgePrompt(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {}
    std::string name_;
    std::string text_;
};

// The pairwise question: which of two answers to the same entry is better ("1", "2", "tie").
// The text has {prompt}, {output}, {first} and {second}.
const std::string& pairwisePromptText();
std::string pairwisePrompt(const Entry& entry, const std::string& first, const std::string& second);

// A second user turn after a reply that could not be read, so a retry is not the same request.
std::string scoreReminder();
std::string verdictReminder();

// JSON schemas sent as Ollama's `format` / OpenAI's `response_format`. Grammar builders keep the
// property order, and nlohmann sorts keys, so the optional "reason" sorts before "score" and
// "verdict": a model that writes a reason reasons before it commits.
nlohmann::json scoreSchema();
nlohmann::json verdictSchema();

} // namespace sft
