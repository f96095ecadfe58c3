#include "core/eval/responder.h"

namespace sft {

nlohmann::json respond(Gpt& model, const Tokenizer& tokenizer, const PromptTemplate& tmpl,
                       const std::vector<Entry>& entries, const GenerationOptions& options, const std::string& key,
                       const ProgressFn& progress, const JobControl* job)
{
    std::vector<std::string> promptTexts;
    std::vector<std::vector<int64_t>> prompts;
    for (const Entry& e : entries) {
        promptTexts.push_back(tmpl.prompt(e));
        const std::vector<int> ids = tokenizer.encode(promptTexts.back());
        prompts.emplace_back(ids.begin(), ids.end());
    }
    const std::vector<std::vector<int64_t>> answers = generate(model, prompts, options, progress, job);
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < entries.size(); ++i) {
        std::vector<int> all(prompts[i].begin(), prompts[i].end());
        all.insert(all.end(), answers[i].begin(), answers[i].end());
        nlohmann::json entry = entries[i].source;
        entry[key] = tmpl.extractAnswer(tokenizer.decode(all), promptTexts[i]);
        out.push_back(std::move(entry));
    }
    return out;
}

} // namespace sft
