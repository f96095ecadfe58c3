#include "core/data/prompt_template.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

namespace sft {

namespace {

constexpr std::string_view kInstruction = "{instruction}";
constexpr std::string_view kInput = "{input}";
constexpr std::string_view kOutput = "{output}";

// The chapter's format_input + response text, and exercise 7.1's Phi-3 style, written as
// templates: the rules of docs/templates.md turn them into exactly the reference strings.
constexpr const char* kAlpaca =
    "Below is an instruction that describes a task. Write a response that appropriately "
    "completes the request.\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}"
    "\n\n### Response:\n{output}";
constexpr const char* kPhi3 = "<|user|>\n{instruction}\n{input}\n<|assistant|>:\n{output}";

struct Parts {
    std::string prompt, response, inputSection, marker;
};

bool isBlank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::string_view trimmed(std::string_view s)
{
    const size_t first = s.find_first_not_of(" \t");
    return first == std::string_view::npos ? "" : s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

size_t lineStart(std::string_view text, size_t pos)
{
    const size_t newline = pos == 0 ? std::string_view::npos : text.rfind('\n', pos - 1);
    return newline == std::string_view::npos ? 0 : newline + 1;
}

size_t lineEnd(std::string_view text, size_t pos) { return std::min(text.find('\n', pos), text.size()); }

// Start of the response header: the text before {output} on its line, or else the nearest
// non-blank line above it ({instruction} comes earlier, so there is one).
size_t responseHeaderStart(std::string_view text, const std::string& where)
{
    const size_t output = text.find(kOutput);
    size_t start = lineStart(text, output);
    std::string_view header = text.substr(start, output - start);
    while (isBlank(header) && start > 0) {
        const size_t end = start - 1;
        start = lineStart(text, end);
        header = text.substr(start, end - start);
    }
    if (header.find(kInstruction) != std::string_view::npos || header.find(kInput) != std::string_view::npos)
        throw ConfigError(where + ": the line before {output} must be a response header such as "
                                  "'### Response:', not a line holding {instruction} or {input}");
    return start;
}

// The part dropped when an entry has no input: the paragraph holding {input}, or just its
// line when that paragraph also holds {instruction}; with the line breaks that set it apart.
std::string inputSection(std::string_view prompt, const std::string& where)
{
    const size_t input = prompt.find(kInput);
    const size_t blankBefore = input == 0 ? std::string_view::npos : prompt.rfind("\n\n", input);
    size_t start = blankBefore == std::string_view::npos ? 0 : blankBefore + 2;
    size_t end = std::min(prompt.find("\n\n", input), prompt.size());
    if (prompt.substr(start, end - start).find(kInstruction) != std::string_view::npos) {
        start = lineStart(prompt, input);
        end = lineEnd(prompt, input);
        if (prompt.substr(start, end - start).find(kInstruction) != std::string_view::npos)
            throw ConfigError(where + ": put {input} on a line of its own, apart from {instruction}, "
                                      "so that it can be left out when an entry has no input");
    }
    if (start > 0) {
        while (start > 0 && prompt[start - 1] == '\n')
            --start;
    } else {
        while (end < prompt.size() && prompt[end] == '\n')
            ++end;
    }
    return std::string(prompt.substr(start, end - start));
}

void requireOnce(std::string_view text, std::string_view placeholder, const std::string& where)
{
    const size_t first = text.find(placeholder);
    if (first == std::string_view::npos)
        throw ConfigError(where + ": the template has no " + std::string(placeholder) +
                          "; it needs {instruction}, {input} and {output} (see docs/templates.md)");
    if (text.find(placeholder, first + 1) != std::string_view::npos)
        throw ConfigError(where + ": " + std::string(placeholder) + " appears more than once");
}

Parts parse(const std::string& text, const std::string& where)
{
    for (const auto placeholder : {kInstruction, kInput, kOutput})
        requireOnce(text, placeholder, where);
    const size_t output = text.find(kOutput);
    if (text.find(kInstruction) > output || text.find(kInput) > output)
        throw ConfigError(where + ": {output} must come after {instruction} and {input}, since "
                                  "the prompt is the text before the response");
    const size_t header = responseHeaderStart(text, where);
    size_t split = header;
    while (split > 0 && text[split - 1] == '\n')
        --split;
    Parts parts;
    parts.prompt = text.substr(0, split);
    parts.response = text.substr(split);
    parts.inputSection = inputSection(parts.prompt, where);
    parts.marker = trimmed(std::string_view(text).substr(header, lineEnd(text, header) - header));
    if (parts.marker.find(kOutput) != std::string::npos)
        parts.marker = trimmed(parts.marker.substr(0, parts.marker.find(kOutput)));
    return parts;
}

// Windows line breaks would otherwise end up in every prompt.
std::string withUnixLineBreaks(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i)
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))
            out += text[i];
    return out;
}

// One pass, so that text inside an entry that looks like a placeholder is never replaced.
std::string fill(std::string_view tmpl, const Entry& e)
{
    const std::array<std::pair<std::string_view, const std::string*>, 3> fields{
        {{kInstruction, &e.instruction}, {kInput, &e.input}, {kOutput, &e.output}}};
    std::string out;
    for (size_t i = 0; i < tmpl.size();) {
        bool replaced = false;
        for (const auto& [placeholder, value] : fields) {
            if (tmpl.compare(i, placeholder.size(), placeholder) == 0) {
                out += *value;
                i += placeholder.size();
                replaced = true;
                break;
            }
        }
        if (!replaced)
            out += tmpl[i++];
    }
    return out;
}

// Python's str.strip(): every character for which str.isspace() is true, in UTF-8.
constexpr std::array<std::string_view, 29> kPythonWhitespace{
    "\t", "\n", "\x0b", "\x0c", "\r", "\x1c", "\x1d", "\x1e", "\x1f", " ",
    "\xC2\x85", "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003", "\u2004", "\u2005", "\u2006",
    "\u2007", "\u2008", "\u2009", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"};

size_t whitespaceAt(std::string_view s, bool front)
{
    for (const auto ws : kPythonWhitespace)
        if (s.size() >= ws.size() && s.substr(front ? 0 : s.size() - ws.size(), ws.size()) == ws)
            return ws.size();
    return 0;
}

std::string pythonStrip(std::string_view s)
{
    while (const size_t n = whitespaceAt(s, true))
        s.remove_prefix(n);
    while (const size_t n = whitespaceAt(s, false))
        s.remove_suffix(n);
    return std::string(s);
}

// Python's str.replace(what, ""): one left-to-right pass over non-overlapping matches.
std::string withoutAll(std::string_view s, std::string_view what)
{
    std::string out;
    size_t from = 0;
    for (size_t at = s.find(what); at != std::string_view::npos; at = s.find(what, from)) {
        out.append(s.substr(from, at - from));
        from = at + what.size();
    }
    out.append(s.substr(from));
    return out;
}

} // namespace

PromptTemplate PromptTemplate::fromText(const std::string& text, const std::string& name,
                                        const std::string& where)
{
    Parts parts = parse(withUnixLineBreaks(text), where);
    PromptTemplate t;
    t.name_ = name;
    t.promptPart_ = std::move(parts.prompt);
    t.responsePart_ = std::move(parts.response);
    t.inputSection_ = std::move(parts.inputSection);
    t.responseMarker_ = std::move(parts.marker);
    return t;
}

PromptTemplate PromptTemplate::alpaca() { return fromText(kAlpaca, "alpaca", "alpaca template"); }

PromptTemplate PromptTemplate::phi3() { return fromText(kPhi3, "phi3", "phi3 template"); }

PromptTemplate PromptTemplate::custom(const std::string& text)
{
    return fromText(text, "custom", "prompt template");
}

PromptTemplate PromptTemplate::byName(const std::string& nameOrPath)
{
    if (nameOrPath == "alpaca")
        return alpaca();
    if (nameOrPath == "phi3")
        return phi3();
    if (!fileExists(nameOrPath))
        throw ConfigError("unknown prompt template '" + nameOrPath +
                          "': use alpaca, phi3 or the path of a template file (see docs/templates.md)");
    std::string text = readFile(nameOrPath);
    // Editors end files with a line break; it is not meant to follow every response.
    if (!text.empty() && text.back() == '\n')
        text.pop_back();
    if (!text.empty() && text.back() == '\r')
        text.pop_back();
    return fromText(text, nameOrPath, nameOrPath);
}

std::string PromptTemplate::prompt(const Entry& e) const
{
    if (!e.input.empty()) // the chapter's `if entry["input"]`: only an empty string counts as none
        return fill(promptPart_, e);
    std::string text = promptPart_;
    text.erase(text.find(inputSection_), inputSection_.size());
    return fill(text, e);
}

std::string PromptTemplate::response(const Entry& e) const { return fill(responsePart_, e); }

std::string PromptTemplate::extractAnswer(const std::string& generated, const std::string& prompt) const
{
    const std::string_view answer =
        generated.size() > prompt.size() ? std::string_view(generated).substr(prompt.size()) : "";
    return pythonStrip(responseMarker_.empty() ? std::string(answer) : withoutAll(answer, responseMarker_));
}

} // namespace sft
