#include "core/judge/judge_prompt.h"

#include "core/data/prompt_template.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <map>

namespace sft {

namespace {

const char* const kChapterText =
    "Given the input `{prompt}` and correct output `{output}`, score the model response `{response}` "
    "on a scale from 0 to 100, where 100 is the best score. Respond with the integer number only.";

const char* const kRubricText =
    "You are grading the answer a small language model gave to a task. Compare it with the "
    "reference answer, which deserves a score of 100.\n\n"
    "The task, exactly as the model saw it:\n<task>\n{prompt}\n</task>\n\n"
    "The reference answer:\n<reference>\n{output}\n</reference>\n\n"
    "The model's answer:\n<answer>\n{response}\n</answer>\n\n"
    "Score the model's answer from 0 to 100:\n"
    "- 90 to 100: correct and complete; as good as the reference, even if worded differently.\n"
    "- 70 to 89: correct, with a small omission, extra text or awkward wording.\n"
    "- 40 to 69: partly correct, or correct but missing an important part of the task.\n"
    "- 10 to 39: mostly wrong or off the task, with something relevant in it.\n"
    "- 0 to 9: wrong, empty, off-topic, or a repetition of the task.\n"
    "Judge correctness first, then completeness, then concision; a longer answer is not a better one.\n"
    "Reply with JSON only: {\"reason\": \"<one short sentence>\", \"score\": <integer from 0 to 100>}";

const char* const kPairwiseText =
    "Two language models answered the same task. Decide which answer is better, using the "
    "reference answer as the standard.\n\n"
    "The task:\n<task>\n{prompt}\n</task>\n\n"
    "The reference answer:\n<reference>\n{output}\n</reference>\n\n"
    "Answer 1:\n<answer1>\n{first}\n</answer1>\n\n"
    "Answer 2:\n<answer2>\n{second}\n</answer2>\n\n"
    "Judge correctness first, then completeness, then concision; ignore which answer comes first "
    "and how long each is.\n"
    "Reply with JSON only: {\"reason\": \"<one short sentence>\", \"verdict\": \"1\" or \"2\" or \"tie\"}";

// Each {field} is replaced once, left to right, so braces inside the values stay as they are.
std::string fill(const std::string& text, const std::map<std::string, std::string>& values)
{
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t open = text.find('{', pos);
        if (open == std::string::npos)
            break;
        const size_t close = text.find('}', open);
        if (close == std::string::npos)
            break;
        const auto value = values.find(text.substr(open + 1, close - open - 1));
        out.append(text, pos, open - pos);
        if (value == values.end()) {
            out += '{';
            pos = open + 1;
            continue;
        }
        out += value->second;
        pos = close + 1;
    }
    out.append(text, pos, std::string::npos);
    return out;
}

} // namespace

JudgePrompt JudgePrompt::chapter() { return JudgePrompt("chapter", kChapterText); }

JudgePrompt JudgePrompt::rubric() { return JudgePrompt("rubric", kRubricText); }

JudgePrompt JudgePrompt::byName(const std::string& nameOrPath)
{
    if (nameOrPath == "chapter")
        return chapter();
    if (nameOrPath == "rubric")
        return rubric();
    if (!fileExists(nameOrPath))
        throw ConfigError("unknown judge prompt '" + nameOrPath +
                          "': use 'chapter', 'rubric' or the path of a text file with {prompt}, {output} "
                          "and {response} in it");
    return custom(nameOrPath, readFile(nameOrPath));
}

JudgePrompt JudgePrompt::custom(const std::string& name, const std::string& text)
{
    if (text.find("{response}") == std::string::npos)
        throw ConfigError("judge prompt '" + name + "' has no {response} field, so the judge would never see "
                          "the answer; add {response} (and {prompt}, {output}) to it");
    return JudgePrompt(name, text);
}

std::string JudgePrompt::sha256() const { return sha256Hex(text_); }

std::string JudgePrompt::render(const Entry& entry, const std::string& response) const
{
    return fill(text_, {{"prompt", PromptTemplate::alpaca().prompt(entry)},
                        {"output", entry.output},
                        {"response", response}});
}

const std::string& pairwisePromptText()
{
    static const std::string text = kPairwiseText;
    return text;
}

std::string pairwisePrompt(const Entry& entry, const std::string& first, const std::string& second)
{
    return fill(kPairwiseText, {{"prompt", PromptTemplate::alpaca().prompt(entry)},
                                {"output", entry.output},
                                {"first", first},
                                {"second", second}});
}

std::string scoreReminder()
{
    return "Your reply could not be read as a score. Reply again with only the score, an integer from 0 "
           "to 100.";
}

std::string verdictReminder()
{
    return "Your reply could not be read as a verdict. Reply again with only \"1\", \"2\" or \"tie\".";
}

nlohmann::json scoreSchema()
{
    return {{"type", "object"},
            {"properties",
             {{"reason", {{"type", "string"}}},
              {"score", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}}}},
            {"required", {"score"}}};
}

nlohmann::json verdictSchema()
{
    return {{"type", "object"},
            {"properties",
             {{"reason", {{"type", "string"}}}, {"verdict", {{"type", "string"}, {"enum", {"1", "2", "tie"}}}}}},
            {"required", {"verdict"}}};
}

} // namespace sft
