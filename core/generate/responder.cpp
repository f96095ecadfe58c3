#include "core/generate/responder.h"

#include "core/util/error.h"

#include <algorithm>
#include <map>

namespace sft {

namespace {

struct Prompts {
    std::vector<std::string> texts;
    std::vector<std::vector<int64_t>> ids;
};

Prompts encodePrompts(const Tokenizer& tokenizer, const PromptTemplate& tmpl, const std::vector<Entry>& entries)
{
    Prompts p;
    for (const Entry& e : entries) {
        p.texts.push_back(tmpl.prompt(e));
        const std::vector<int> ids = tokenizer.encode(p.texts.back());
        p.ids.emplace_back(ids.begin(), ids.end());
    }
    return p;
}

std::string answerText(const Tokenizer& tokenizer, const PromptTemplate& tmpl, const std::vector<int64_t>& prompt,
                       const std::vector<int64_t>& answer, const std::string& promptText)
{
    std::vector<int> all(prompt.begin(), prompt.end());
    all.insert(all.end(), answer.begin(), answer.end());
    return tmpl.extractAnswer(tokenizer.decode(all), promptText);
}

nlohmann::json withAnswers(const std::vector<Entry>& entries, const std::vector<std::string>& answers,
                           const std::string& key)
{
    nlohmann::json out = nlohmann::json::array();
    for (size_t i = 0; i < entries.size(); ++i) {
        nlohmann::json entry = entries[i].source;
        entry[key] = answers[i];
        out.push_back(std::move(entry));
    }
    return out;
}

// The answers a journal holds, by entry.
std::map<size_t, std::string> journaledAnswers(const JsonlJournal& journal, size_t entries)
{
    std::map<size_t, std::string> answers;
    for (const nlohmann::json& item : journal.items()) {
        const auto index = item.find("index");
        const auto answer = item.find("answer");
        if (index == item.end() || !index->is_number_unsigned() || index->get<size_t>() >= entries ||
            answer == item.end() || !answer->is_string())
            throw FormatError(journal.path() + " has a line that is not an answer to one of the " +
                              std::to_string(entries) + " entries (" + item.dump().substr(0, 80) +
                              "); delete it to start over");
        answers[index->get<size_t>()] = answer->get<std::string>();
    }
    return answers;
}

} // namespace

nlohmann::json respond(Gpt& model, const Tokenizer& tokenizer, const PromptTemplate& tmpl,
                       const std::vector<Entry>& entries, const GenerationOptions& options, const std::string& key,
                       const ProgressFn& progress, const JobControl* job)
{
    const Prompts prompts = encodePrompts(tokenizer, tmpl, entries);
    const std::vector<std::vector<int64_t>> answers = generate(model, prompts.ids, options, progress, job);
    std::vector<std::string> texts;
    for (size_t i = 0; i < entries.size(); ++i)
        texts.push_back(answerText(tokenizer, tmpl, prompts.ids[i], answers[i], prompts.texts[i]));
    return withAnswers(entries, texts, key);
}

nlohmann::json respondJournaled(Gpt& model, const Tokenizer& tokenizer, const PromptTemplate& tmpl,
                                const std::vector<Entry>& entries, const GenerationOptions& options,
                                JsonlJournal& journal, const std::string& key, const ProgressFn& progress,
                                const JobControl* job, const AnswersFn& answered)
{
    const Prompts prompts = encodePrompts(tokenizer, tmpl, entries);
    std::map<size_t, std::string> known = journaledAnswers(journal, entries.size());
    const auto batches = generationBatches(prompts.ids, model->config().contextLength, options.batchSize);
    const int64_t total = int64_t(entries.size()) * options.maxNewTokens;
    const auto tell = [&](const std::vector<size_t>& batch) {
        if (!answered)
            return;
        std::vector<std::string> texts;
        for (size_t i : batch)
            texts.push_back(known.at(i));
        answered(batch, texts);
    };
    int64_t before = 0;
    for (size_t b = 0; b < batches.size(); ++b) {
        const std::vector<size_t>& batch = batches[b];
        const int64_t batchTokens = int64_t(batch.size()) * options.maxNewTokens;
        if (std::all_of(batch.begin(), batch.end(), [&](size_t i) { return known.count(i) > 0; })) {
            tell(batch);
            before += batchTokens;
            continue;
        }
        std::vector<std::vector<int64_t>> batchPrompts;
        for (size_t i : batch)
            batchPrompts.push_back(prompts.ids[i]);
        GenerationOptions batchOptions = options;
        batchOptions.seed = options.seed + b;
        const ProgressFn batchProgress = [&](int64_t done, int64_t, const std::string& label) {
            if (progress)
                progress(before + done, total, label);
        };
        const auto answers = generate(model, batchPrompts, batchOptions, batchProgress, job);
        for (size_t k = 0; k < batch.size(); ++k) {
            const size_t i = batch[k];
            if (known.count(i))
                continue;
            known[i] = answerText(tokenizer, tmpl, prompts.ids[i], answers[k], prompts.texts[i]);
            journal.append({{"index", i}, {"answer", known[i]}});
        }
        tell(batch);
        before += batchTokens;
    }
    std::vector<std::string> texts;
    for (size_t i = 0; i < entries.size(); ++i)
        texts.push_back(known.at(i));
    return withAnswers(entries, texts, key);
}

} // namespace sft
