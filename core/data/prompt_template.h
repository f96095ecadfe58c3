#pragma once
// How an entry becomes text: the prompt the model is given, and the response it learns.

#include "core/data/dataset.h"

#include <string>

namespace sft {

class PromptTemplate {
public:
    static PromptTemplate alpaca();          // exactly the chapter's format_input + response
    static PromptTemplate phi3();            // exercise 7.1
    // A custom template with {instruction}, {input}, {output}; see docs/templates.md.
    static PromptTemplate custom(const std::string& text);
    // "alpaca", "phi3", or a path to a text file holding a custom template.
    static PromptTemplate byName(const std::string& nameOrPath);

    const std::string& name() const { return name_; }
    std::string prompt(const Entry& e) const;   // generation input; ends before the response header
    std::string response(const Entry& e) const; // response header + output
    std::string full(const Entry& e) const { return prompt(e) + response(e); }
    // The chapter's answer extraction: text after the prompt, response header removed, stripped.
    std::string extractAnswer(const std::string& generated, const std::string& prompt) const;

private:
    // `where` names the template in error messages.
    static PromptTemplate fromText(const std::string& text, const std::string& name,
                                   const std::string& where);

    std::string name_;
    std::string promptPart_;    // template text before the response
    std::string responsePart_;  // template text of the response (contains {output})
    std::string inputSection_;  // the part carrying {input}, dropped when input is empty
    std::string responseMarker_; // removed from generated answers ("### Response:")
};

} // namespace sft
