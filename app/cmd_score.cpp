// sft-studio score: the chapter's LLM-as-judge step, made dependable. Progress and retries go
// to stderr, the summary to stdout, every score to --out as soon as it is known.

#include "app/cli_judge.h"
#include "app/commands.h"
#include "core/judge/score_run.h"
#include "core/util/files.h"

#include <algorithm>
#include <cstdio>

namespace sft::cli {

namespace {

std::string shortHash(const std::string& hash) { return hash.empty() ? "none" : hash.substr(0, 12); }

std::string indexList(const std::vector<size_t>& indices)
{
    std::string text;
    for (size_t i = 0; i < indices.size() && i < 20; ++i)
        text += (i ? ", " : "") + std::to_string(indices[i]);
    return indices.size() > 20 ? text + ", ..." : text;
}

void printSetup(const ScoreSetup& s)
{
    std::printf("judge: %s (digest %s) at %s%s\n", s.model.c_str(), shortHash(s.digest).c_str(), s.url.c_str(),
                s.serverVersion.empty() ? "" : (", Ollama " + s.serverVersion).c_str());
    std::printf("prompt: %s (sha256 %s); seed %lld, temperature %s, num_ctx %lld, num_predict %lld%s\n",
                s.promptName.c_str(), shortHash(sha256Hex(s.promptText)).c_str(), (long long)s.options.seed,
                formatNumber(s.options.temperature, 2).c_str(), (long long)s.options.numCtx,
                (long long)s.options.numPredict, s.structured ? ", JSON schema" : ", free text");
}

void printHistogram(const ScoreStats& stats)
{
    const size_t most = *std::max_element(stats.histogram.begin(), stats.histogram.end());
    std::printf("histogram:\n");
    for (size_t bin = 0; bin < stats.histogram.size(); ++bin) {
        const size_t n = stats.histogram[bin];
        const std::string bar(most ? n * 40 / most : 0, '#');
        std::printf("  %3zu-%-3zu %-40s %zu\n", bin * 10, bin == 9 ? 100 : bin * 10 + 9, bar.c_str(), n);
    }
}

void printUnscored(const std::vector<EntryScore>& entries)
{
    for (ScoreStatus status : {ScoreStatus::Unparseable, ScoreStatus::Failed, ScoreStatus::Pending}) {
        std::vector<size_t> indices;
        for (const EntryScore& e : entries)
            if (e.status == status)
                indices.push_back(e.index);
        if (!indices.empty())
            std::printf("%s: %zu (entries %s)\n", scoreStatusName(status).c_str(), indices.size(),
                        indexList(indices).c_str());
    }
}

void printSummary(const ScoreRunResult& r, const std::string& out)
{
    printSetup(r.setup);
    const ScoreStats& s = r.stats;
    std::printf("scored %zu of %zu entries (%zu by this run, %zu kept from earlier runs)\n", s.scored, s.total,
                r.judged, r.reused);
    printUnscored(r.entries);
    if (s.scored == 0) {
        std::printf("no entry could be scored, so there is no mean\n");
    } else {
        std::printf("mean %s  sd %s  median %s  95%% CI %s to %s (bootstrap; unscored entries left out, not "
                    "counted as 0)\n",
                    formatNumber(s.mean).c_str(), formatNumber(s.stddev).c_str(), formatNumber(s.median).c_str(),
                    formatNumber(s.ciLow).c_str(), formatNumber(s.ciHigh).c_str());
        printHistogram(s);
    }
    if (s.sampledEntries)
        std::printf("judge's spread over %d samples per entry: mean sd %s, widest range %s (entry %zu)\n",
                    r.setup.samples, formatNumber(s.meanSampleStddev).c_str(), formatNumber(s.maxSampleRange, 0).c_str(),
                    s.maxRangeIndex);
    std::printf("wrote %s\n", out.c_str());
}

} // namespace

int cmdScore(const QStringList& args)
{
    Options o("score", "Have an LLM judge score each answer of a responses file from 0 to 100 against the "
                       "reference output (the chapter's Ollama evaluation). Rerunning the same command skips "
                       "entries already scored; a stopped run continues where it stopped.");
    o.add("responses", "Responses file: JSON list of entries with instruction, input, output and the answer.",
          "FILE");
    o.add("key", "Field holding the answer to judge.", "NAME", "model_response");
    o.add("prompt", "chapter (the chapter's words), rubric, or a prompt file with {prompt}, {output}, {response}.",
          "NAME", "chapter");
    o.add("out", "Scores file to write (its journal OUT.journal.jsonl makes the run resumable).", "FILE");
    addJudgeOptions(o, JudgeSamples::Taken);
    if (!o.parse(args))
        return 0;
    ScoreSettings settings = judgeSettingsOf(o, JudgeSamples::Taken);
    settings.responsesPath = o.required("responses");
    settings.responseKey = o.text("key");
    settings.outPath = o.required("out");
    settings.prompt = JudgePrompt::byName(o.text("prompt"));
    const auto client = makeJudgeClient(judgeServer(o));
    pullIfMissing(*client, settings.model, o);

    Progress progress("entries");
    ScoreEvents events;
    events.progress = progress.resumingCallback();
    events.note = progress.noteCallback();
    const ScoreRunResult result = runScoring(*client, settings, events, &interruptibleJob());
    progress.finish();
    printSummary(result, settings.outPath);
    return 0;
}

} // namespace sft::cli
