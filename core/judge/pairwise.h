#pragma once
// Pairwise judging: which of two answers to the same entry is better. Judges prefer the answer
// in a given position surprisingly often, so every pair is judged twice, A first and then B
// first; a win counts only when both orders agree, and disagreement is reported as
// inconsistent (position bias) instead of being hidden in the totals.

#include "core/judge/ask_judge.h"
#include "core/judge/judge_reply.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace sft {

enum class PairOutcome { AWins, BWins, Tie, Inconsistent, Undecided };

std::string pairOutcomeName(PairOutcome outcome); // "a", "b", "tie", "inconsistent", "undecided"

// Undecided when either verdict is missing.
PairOutcome combineVerdicts(std::optional<Verdict> aFirst, std::optional<Verdict> bFirst);

struct PairTally {
    size_t aWins = 0, bWins = 0, ties = 0, inconsistent = 0, undecided = 0;
    void add(PairOutcome outcome);
    nlohmann::json toJson() const;
};

struct PairJudgement {
    size_t index = 0;
    PairOutcome outcome = PairOutcome::Undecided;
    std::optional<Verdict> aFirst, bFirst;
    std::vector<std::string> replies; // A-first order, then B-first order
    int attempts = 0;
    std::string problem;

    nlohmann::json toJson() const;
    static PairJudgement fromJson(const nlohmann::json& j); // FormatError when malformed
};

struct CompareSettings {
    std::string pathA, keyA = "model_response";
    std::string pathB, keyB = "model_response";
    std::string model = "llama3";
    SamplingOptions options;
    bool structured = true;
    RetryPolicy retry;
    std::string outPath; // the result; OUT.journal.jsonl keeps each pair as it is judged
    bool restart = false;
};

struct CompareResult {
    std::vector<PairJudgement> pairs;
    PairTally tally;
    size_t reused = 0;
};

// A and B must answer the same entries (same count, same instructions and inputs): ConfigError
// otherwise. Resumable like runScoring; throws JudgeError and Cancelled after writing OUT.
CompareResult runComparison(JudgeClient& client, const CompareSettings& settings, const ProgressFn& progress = {},
                            const NoteFn& note = {}, const JobControl* job = nullptr);

} // namespace sft
