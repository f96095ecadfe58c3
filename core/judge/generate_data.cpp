#include "core/judge/generate_data.h"

#include "core/data/dataset.h"
#include "core/data/dataset_document.h"
#include "core/util/error.h"
#include "core/util/jsonl_journal.h"
#include "core/util/split_mix.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>

namespace sft {

const char* const kPreQueryTemplate = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>";
const char* const kExamplesPrompt = "Write one new instruction for an assistant, in the style of these examples but "
                                    "about something else. Reply with the new instruction alone, on one line.\n\n"
                                    "{examples}";

namespace {

const char* const kBlanks = " \t\r\n\v\f"; // what Python's str.strip() removes, in ASCII
const size_t kExamplesShown = 3;

std::string stripped(const std::string& text)
{
    const size_t begin = text.find_first_not_of(kBlanks);
    return begin == std::string::npos ? std::string() : text.substr(begin, text.find_last_not_of(kBlanks) - begin + 1);
}

// Every run of blanks as one space, so a multi-line example stays one line of the list.
std::string folded(const std::string& text)
{
    std::string out;
    for (size_t at = text.find_first_not_of(kBlanks); at != std::string::npos;) {
        const size_t end = text.find_first_of(kBlanks, at);
        out += (out.empty() ? "" : " ") + text.substr(at, end - at);
        at = text.find_first_not_of(kBlanks, end);
    }
    return out;
}

// A generated entry has no input, so an example's input is shown as part of its instruction.
std::string exampleText(const Entry& e) { return e.input.empty() ? e.instruction : e.instruction + "\n" + e.input; }

std::string answerIn(const std::string& reply) { return reply.find_first_not_of(kBlanks) == std::string::npos ? "" : reply; }

struct EntryAsk {
    JudgeClient& client;
    const GenerationSettings& settings;
    GenerationResult& result;
    const NoteFn& note;
    const JobControl* job;
    size_t index;

    // The part of a reply `take` keeps, asked for again until there is one. With the seed
    // pinned, the same request would bring the same useless reply, so each new draw asks the
    // same question with the entry's next seed rather than changing the conversation.
    std::string draw(ChatRequest request, const std::function<std::string(const std::string&)>& take,
                     const std::string& what)
    {
        const ReplyCheck anyReply = [](const std::string&) { return std::string(); };
        const int draws = settings.retry.maxAttempts;
        for (int d = 0; d < draws; ++d) {
            request.options.seed = entrySeed(settings.options.seed, index, d);
            const JudgeAnswer answer = askJudge(client, request, anyReply, {}, settings.retry, job, note);
            if (answer.outcome != JudgeAnswer::Outcome::Read)
                throw JudgeError(JudgeError::Kind::Broken, prefix() + "no reply after " + std::to_string(answer.attempts) +
                                                               " attempts (" + answer.problem + "); " + kept() +
                                                               ": run the same command again to continue");
            if (std::string part = take(answer.reply); !part.empty())
                return part;
            ++result.redrawn;
            if (d + 1 < draws && note)
                note("the reply holds no " + what + "; asking again with another seed");
        }
        throw JudgeError(JudgeError::Kind::Broken, prefix() + "no " + what + " in " + std::to_string(draws) +
                                                       " replies, each with a seed of its own; " + kept() +
                                                       ": run the same command again with more attempts to continue");
    }

    std::string prefix() const { return "entry " + std::to_string(index) + ": "; }
    std::string kept() const
    {
        const size_t made = result.reused + result.generated;
        return std::to_string(made) + (made == 1 ? " entry is" : " entries are") + " kept";
    }
};

} // namespace

int64_t entrySeed(int64_t runSeed, size_t index, int draw)
{
    return int64_t(splitMix64(uint64_t(runSeed) ^ splitMix64(uint64_t(index) ^ splitMix64(uint64_t(draw)))) & 0x7FFFFFFF);
}

std::string extractInstruction(const std::string& reply)
{
    for (size_t start = 0; start <= reply.size();) {
        const size_t end = std::min(reply.find('\n', start), reply.size());
        if (std::string line = stripped(reply.substr(start, end - start)); !line.empty())
            return line;
        start = end + 1;
    }
    return {};
}

std::string examplesPromptFor(const std::vector<std::string>& instructions, int64_t runSeed, size_t index)
{
    const size_t shown = std::min(kExamplesShown, instructions.size());
    const uint64_t base = splitMix64(uint64_t(runSeed) ^ splitMix64(uint64_t(index)));
    std::vector<size_t> picked;
    for (uint64_t k = 0; picked.size() < shown; ++k) {
        const size_t at = size_t(splitMix64(base + k) % instructions.size());
        if (std::find(picked.begin(), picked.end(), at) == picked.end())
            picked.push_back(at);
    }
    std::string list;
    for (size_t at : picked)
        list += (list.empty() ? "- " : "\n- ") + folded(instructions[at]);
    std::string prompt = kExamplesPrompt;
    prompt.replace(prompt.find("{examples}"), std::string("{examples}").size(), list);
    return prompt;
}

GenerationResult generateData(JudgeClient& client, const GenerationSettings& settings, const GenerationEvents& events,
                              const JobControl* job)
{
    if (settings.count == 0)
        throw ConfigError("nothing to generate: the number of entries is 0");
    const JudgeApi api = client.server().api;
    if (api == JudgeApi::Ollama && !settings.examplesPath.empty())
        throw ConfigError("Ollama is asked with Llama 3's pre-query template, as the notebook does, and shows the "
                          "model no examples; example instructions are for OpenAI-compatible servers");
    if (api == JudgeApi::OpenAi && settings.examplesPath.empty())
        throw ConfigError("an OpenAI-compatible server cannot be asked with a pre-query template; give a dataset to "
                          "draw example instructions from (--examples)");
    nlohmann::json identity = {{"api", judgeApiName(api)}, {"model", settings.model}, {"options", settings.options.toJson()}};
    std::vector<std::string> examples;
    if (api == JudgeApi::Ollama) {
        identity["pre_query_template"] = kPreQueryTemplate;
    } else {
        const Dataset data = loadDataset(settings.examplesPath, BadEntries::Skip);
        for (const Entry& e : data.entries)
            examples.push_back(exampleText(e));
        identity["prompt"] = kExamplesPrompt;
        identity["examples_sha256"] = data.sha256;
    }
    const std::string journalPath = settings.outPath + ".journal.jsonl";
    JsonlJournal journal = JsonlJournal::resume(journalPath, identity,
                                                {{"journal", "sft-studio generated data"}, {"version", 1}},
                                                settings.restart);
    std::map<size_t, std::string> instructions, outputs;
    bool holdsMore = false; // than this run writes: then the journal stays for a later, larger count
    for (const nlohmann::json& item : journal.items()) {
        const size_t index = item.at("index").get<size_t>();
        holdsMore = holdsMore || index >= settings.count;
        if (item.contains("instruction"))
            instructions[index] = item["instruction"].get<std::string>();
        else
            outputs[index] = item.at("output").get<std::string>();
    }

    GenerationResult result;
    result.entries = settings.count;
    for (size_t i = 0; i < settings.count; ++i)
        result.reused += outputs.count(i);
    const auto progress = [&] {
        if (events.progress)
            events.progress(int64_t(result.reused + result.generated), int64_t(result.entries), {});
    };
    progress();
    if (result.reused < result.entries)
        client.loadModel(settings.model, settings.options, job);
    std::vector<nlohmann::ordered_json> items;
    for (size_t i = 0; i < settings.count; ++i) {
        if (!outputs.count(i)) {
            if (job)
                job->checkpoint();
            const NoteFn note = [&](const std::string& line) {
                if (events.note)
                    events.note("entry " + std::to_string(i) + ": " + line);
            };
            EntryAsk ask{client, settings, result, note, job, i};
            if (!instructions.count(i)) {
                const ChatMessage question = api == JudgeApi::Ollama
                                                 ? ChatMessage{"assistant", kPreQueryTemplate}
                                                 : ChatMessage{"user", examplesPromptFor(examples, settings.options.seed, i)};
                instructions[i] = ask.draw({settings.model, {question}, settings.options, {}}, extractInstruction,
                                           "instruction");
                journal.append({{"index", i}, {"instruction", instructions[i]}});
            }
            outputs[i] = ask.draw({settings.model, {{"user", instructions[i]}}, settings.options, {}}, answerIn, "answer");
            journal.append({{"index", i}, {"output", outputs[i]}});
            ++result.generated;
            progress();
        }
        items.push_back({{"instruction", instructions[i]}, {"output", outputs[i]}});
    }
    DatasetDocument::fromItems(std::move(items)).saveAs(settings.outPath);
    if (!holdsMore)
        std::remove(journalPath.c_str());
    return result;
}

} // namespace sft
