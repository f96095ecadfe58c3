#pragma once
// Scoring a responses file with a judge, entry by entry, each result on disk the moment it is
// known (ScoresFile): a rerun with the same setup skips what is scored and retries the rest.

#include "core/judge/ask_judge.h"
#include "core/judge/judge_prompt.h"
#include "core/judge/score_stats.h"
#include "core/judge/scores_file.h"

#include <functional>
#include <string>
#include <vector>

namespace sft {

struct ScoreSettings {
    std::string responsesPath;
    std::string responseKey = "model_response";
    std::string model = "llama3";
    JudgePrompt prompt = JudgePrompt::chapter();
    SamplingOptions options;
    bool structured = true; // send the score schema as the response format
    int samples = 1;        // judgements per entry; sample k uses seed + k so they are not copies
    RetryPolicy retry;
    std::string outPath;
    bool restart = false;   // discard scores stored for another setup
};

struct ScoreEvents {
    ProgressFn progress; // entries finished of all entries
    NoteFn note;
    std::function<void(const EntryScore&)> entryDone;
};

struct ScoreRunResult {
    ScoreSetup setup;
    std::vector<EntryScore> entries;
    ScoreStats stats;
    size_t reused = 0; // scored by an earlier run
    size_t judged = 0; // judged by this run
};

// Throws JudgeError when the server is gone or refuses, and Cancelled; OUT is written first
// with everything obtained, so the same call later continues where this one stopped.
ScoreRunResult runScoring(JudgeClient& client, const ScoreSettings& settings, const ScoreEvents& events = {},
                          const JobControl* job = nullptr);

// One entry, judged settings.samples times. An empty answer scores 0 without asking the judge,
// as the chapter's ollama_evaluate.py does.
EntryScore judgeEntry(JudgeClient& client, const ScoreSettings& settings, const Entry& entry, const std::string& answer,
                      const JobControl* job = nullptr, const NoteFn& note = {});

ScoreStats statsOf(const std::vector<EntryScore>& entries);

} // namespace sft
