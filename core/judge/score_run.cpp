#include "core/judge/score_run.h"

#include "core/judge/judge_reply.h"
#include "core/generate/responses_file.h"
#include "core/util/files.h"

namespace sft {

namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::string contextWarning(int64_t promptTokens, const SamplingOptions& options)
{
    if (promptTokens == 0 || promptTokens + options.numPredict <= options.numCtx)
        return {};
    return "the prompt took " + std::to_string(promptTokens) + " of " + std::to_string(options.numCtx) +
           " context tokens, so it may have been cut; raise num_ctx";
}

std::string rethrowHint(const JudgeError& e)
{
    return e.serverGone() ? "; is the judge server running (for Ollama: 'ollama serve') and is the URL right?" : "";
}

ScoreSetup describeSetup(JudgeClient& client, const ScoreSettings& s, const Responses& responses, const JobControl* job)
{
    ScoreSetup setup;
    setup.responsesPath = s.responsesPath;
    setup.responsesSha256 = responses.dataset.sha256.empty() ? sha256OfFile(s.responsesPath) : responses.dataset.sha256;
    setup.responseKey = s.responseKey;
    setup.entries = responses.answers.size();
    setup.api = judgeApiName(client.server().api);
    setup.url = client.displayUrl();
    setup.model = s.model;
    setup.promptName = s.prompt.name();
    setup.promptText = s.prompt.text();
    setup.options = s.options;
    setup.structured = s.structured;
    setup.samples = s.samples;
    try {
        setup.serverVersion = client.serverVersion(job);
        setup.digest = requireModel(client, s.model, job).digest;
    } catch (const JudgeError& e) {
        throw JudgeError(e.kind(), e.what() + rethrowHint(e), e.httpStatus());
    }
    return setup;
}

nlohmann::json summaryJson(const std::vector<EntryScore>& entries, const ScoreStats& stats)
{
    nlohmann::json j = stats.toJson();
    nlohmann::json unscored = nlohmann::json::object();
    for (const EntryScore& e : entries)
        if (e.status != ScoreStatus::Scored)
            unscored[scoreStatusName(e.status)].push_back(e.index);
    j["unscored_entries"] = unscored;
    return j;
}

std::string savedMessage(const ScoresFile& file, const std::vector<EntryScore>& entries)
{
    size_t scored = 0;
    for (const EntryScore& e : entries)
        scored += e.status == ScoreStatus::Scored;
    return std::to_string(scored) + " of " + std::to_string(entries.size()) + " scores are saved in " + file.outPath() +
           "; run the same command again to continue";
}

} // namespace

EntryScore judgeEntry(JudgeClient& client, const ScoreSettings& settings, const Entry& entry, const std::string& answer,
                      const JobControl* job, const NoteFn& note)
{
    EntryScore result;
    result.index = entry.index;
    if (blank(answer)) {
        result.status = ScoreStatus::Scored;
        result.score = 0;
        result.samples.assign(size_t(settings.samples), 0);
        result.problem = "empty answer: scored 0 without asking the judge, as the chapter's script does";
        return result;
    }
    const std::string prompt = settings.prompt.render(entry, answer);
    const ReplyCheck check = [](const std::string& reply) { return readScore(reply).problem; };
    double sum = 0;
    for (int k = 0; k < settings.samples; ++k) {
        ChatRequest request{settings.model, {{"user", prompt}}, settings.options,
                            settings.structured ? scoreSchema() : nlohmann::json()};
        request.options.seed += k;
        const JudgeAnswer answered = askJudge(client, request, check, scoreReminder(), settings.retry, job, note);
        const ScoreReading reading = readScore(answered.reply);
        result.attempts += answered.attempts;
        result.replies.push_back(answered.reply);
        result.samples.push_back(answered.outcome == JudgeAnswer::Outcome::Read ? reading.score : std::nullopt);
        if (k == 0)
            result.reason = reading.reason;
        if (answered.outcome != JudgeAnswer::Outcome::Read) {
            result.status = answered.outcome == JudgeAnswer::Outcome::Unreadable ? ScoreStatus::Unparseable
                                                                                 : ScoreStatus::Failed;
            result.problem = answered.problem;
            return result;
        }
        sum += *reading.score;
        if (result.problem.empty())
            result.problem = contextWarning(answered.promptTokens, settings.options);
    }
    result.status = ScoreStatus::Scored;
    result.score = sum / settings.samples;
    return result;
}

ScoreStats statsOf(const std::vector<EntryScore>& entries)
{
    std::vector<std::optional<double>> scores;
    std::vector<std::vector<double>> samples;
    for (const EntryScore& e : entries) {
        scores.push_back(e.status == ScoreStatus::Scored ? e.score : std::nullopt);
        std::vector<double> values;
        if (e.status == ScoreStatus::Scored)
            for (const auto& s : e.samples)
                values.push_back(double(*s));
        samples.push_back(std::move(values));
    }
    return scoreStats(scores, samples);
}

ScoreRunResult runScoring(JudgeClient& client, const ScoreSettings& settings, const ScoreEvents& events,
                          const JobControl* job)
{
    const Responses responses = loadResponses(settings.responsesPath, settings.responseKey);
    ScoresFile file(settings.outPath, describeSetup(client, settings, responses, job), settings.restart);
    ScoreRunResult result;
    result.setup = file.setup();
    const size_t total = responses.answers.size();
    std::vector<size_t> todo;
    for (size_t i = 0; i < total; ++i)
        if (!file.isScored(i))
            todo.push_back(i);
    result.reused = total - todo.size();
    const auto finish = [&] {
        result.entries = file.entries();
        result.stats = statsOf(result.entries);
        file.writeResult(summaryJson(result.entries, result.stats));
    };
    try {
        if (!todo.empty())
            client.loadModel(settings.model, settings.options, job);
        if (events.progress)
            events.progress(int64_t(result.reused), int64_t(total), {});
        for (size_t i : todo) {
            if (job)
                job->checkpoint();
            const NoteFn note = [&](const std::string& line) {
                if (events.note)
                    events.note("entry " + std::to_string(i) + ": " + line);
            };
            const EntryScore entry = judgeEntry(client, settings, responses.dataset.entries[i], responses.answers[i], job, note);
            file.record(entry);
            ++result.judged;
            if (events.entryDone)
                events.entryDone(entry);
            if (events.progress)
                events.progress(int64_t(result.reused + result.judged), int64_t(total), {});
        }
    } catch (const JudgeError& e) {
        finish();
        throw JudgeError(e.kind(), e.what() + rethrowHint(e) + "; " + savedMessage(file, result.entries), e.httpStatus());
    } catch (const Cancelled&) {
        finish();
        throw;
    }
    finish();
    return result;
}

} // namespace sft
