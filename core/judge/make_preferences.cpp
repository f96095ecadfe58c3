#include "core/judge/make_preferences.h"

#include "core/data/prompt_template.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/jsonl_journal.h"
#include "core/util/split_mix.h"

#include <cstdio>
#include <map>

namespace sft {

const char* const kRewritePrompt = "Given the input `{input}` and correct output `{output}`, slightly rewrite the "
                                   "output to be more {style}.Keep the modification minimal.Only return return the "
                                   "generated response and nothing else.";

namespace {

void replaceAll(std::string& text, const std::string& field, const std::string& value)
{
    for (size_t at = text.find(field); at != std::string::npos; at = text.find(field, at + value.size()))
        text.replace(at, field.size(), value);
}

nlohmann::json identityOf(const PreferenceSettings& s, const Dataset& data, JudgeClient& client)
{
    return {{"data_sha256", data.sha256},   {"url", client.displayUrl()}, {"model", s.model},
            {"prompt", s.prompt},           {"style", s.style},           {"opposite", s.opposite},
            {"options", s.options.toJson()}, {"redo", s.redo}};
}

std::string blankProblem(const std::string& reply)
{
    return reply.find_first_not_of(" \t\r\n") == std::string::npos ? "the reply is empty" : "";
}

nlohmann::json withPair(const Entry& entry, const std::string& style, const std::string& rewrite,
                        const PreferenceSettings& s)
{
    nlohmann::json out = entry.source;
    const bool preferred = style == s.style;
    out["chosen"] = preferred ? rewrite : entry.output;
    out["rejected"] = preferred ? entry.output : rewrite;
    return out;
}

} // namespace

std::string drawStyle(const PreferenceSettings& settings, size_t index)
{
    return splitMix64(uint64_t(settings.options.seed) ^ splitMix64(index)) & 1 ? settings.style : settings.opposite;
}

std::string rewritePromptFor(const PreferenceSettings& settings, const Entry& entry, const std::string& style)
{
    std::string text = settings.prompt;
    replaceAll(text, "{input}", PromptTemplate::alpaca().prompt(entry));
    replaceAll(text, "{output}", entry.output);
    replaceAll(text, "{style}", style);
    return text;
}

PreferenceRunResult makePreferences(JudgeClient& client, const PreferenceSettings& settings,
                                    const PreferenceEvents& events, const JobControl* job)
{
    if (settings.style == settings.opposite)
        throw ConfigError("the preferred style and its opposite are both '" + settings.style + "'");
    const Dataset data = loadDataset(settings.dataPath);
    const std::string journalPath = settings.outPath + ".journal.jsonl";
    JsonlJournal journal = JsonlJournal::resume(journalPath, identityOf(settings, data, client),
                                                {{"journal", "sft-studio preferences"}, {"version", 1}},
                                                settings.restart);
    std::map<size_t, std::string> done;
    for (const nlohmann::json& item : journal.items())
        done[item.at("index").get<size_t>()] = item.at("rewrite").get<std::string>();

    PreferenceRunResult result;
    result.entries = data.entries.size();
    const auto keeps = [&](const Entry& e) { return e.hasPreference && !settings.redo; };
    for (const Entry& e : data.entries)
        result.kept += keeps(e);
    result.reused = done.size();
    const auto progress = [&] {
        if (events.progress)
            events.progress(int64_t(result.kept + result.reused + result.rewritten), int64_t(result.entries), {});
    };
    progress();
    if (result.kept + result.reused < result.entries)
        client.loadModel(settings.model, settings.options, job);
    nlohmann::json out = nlohmann::json::array();
    for (const Entry& e : data.entries) {
        if (keeps(e)) {
            out.push_back(e.source);
            continue;
        }
        const std::string style = drawStyle(settings, e.index);
        if (!done.count(e.index)) {
            if (job)
                job->checkpoint();
            const NoteFn note = [&](const std::string& line) {
                if (events.note)
                    events.note("entry " + std::to_string(e.index) + ": " + line);
            };
            const ChatRequest request{settings.model, {{"user", rewritePromptFor(settings, e, style)}}, settings.options, {}};
            const JudgeAnswer answer = askJudge(client, request, blankProblem, "Reply with the rewritten answer only.",
                                                settings.retry, job, note);
            if (answer.outcome != JudgeAnswer::Outcome::Read)
                throw JudgeError(JudgeError::Kind::Broken,
                                 "entry " + std::to_string(e.index) + ": no rewrite after " +
                                     std::to_string(answer.attempts) + " attempts (" + answer.problem + "); " +
                                     std::to_string(result.reused + result.rewritten) +
                                     " rewrites are kept: run the same command again to continue");
            journal.append({{"index", e.index}, {"style", style}, {"rewrite", answer.reply}});
            done[e.index] = answer.reply;
            ++result.rewritten;
            progress();
        }
        out.push_back(withPair(e, style, done[e.index], settings));
    }
    writeFileAtomic(settings.outPath, out.dump(4) + "\n");
    std::remove(journalPath.c_str());
    return result;
}

} // namespace sft
