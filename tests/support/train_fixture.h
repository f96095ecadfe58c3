#pragma once
// What trainer tests share: a tiny GPT-2 with the GPT-2 tokenizer and a dataset, and an
// observer that records every report (and can press Stop at a given step).

#include "core/train/trainer.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace sft::test {

GptConfig tinyTrainConfig(); // the "tiny" preset with a 128-token context

// Every setting away from its default, for checking that each one travels through a flag or a
// form into run.json; one step. The keys of those that cannot change with the rest are in
// kUnchangedByEveryOption: warmup steps (the warmup ratio excludes them), shuffling (grouping
// by length needs it), and the method and its reference model (DPO excludes prompt masking and
// needs preference data; the reference goes with DPO).
TrainOptions everyOptionChanged();
inline const std::set<std::string> kUnchangedByEveryOption{"warmup_steps", "shuffle", "method", "reference"};

// datasetPath empty: the chapter's whole dataset.
TrainInputs tinyInputs(uint64_t seed = 7, const std::string& datasetPath = {});

struct Recorder : TrainObserver {
    std::vector<StepPoint> steps;
    std::vector<EvalPoint> evals;
    std::vector<std::string> samples;
    std::vector<std::string> messages;
    JobControl* stopAfter = nullptr;
    int64_t stopStep = -1;
    int64_t resumedAt = -1;
    std::vector<EvalPoint> resumedEvals;

    void onStep(const StepPoint& p) override;
    void onEvaluation(const EvalPoint& p) override { evals.push_back(p); }
    void onSample(int64_t, const std::string& text) override { samples.push_back(text); }
    void onMessage(const std::string& text) override { messages.push_back(text); }
    void onResumed(int64_t stepsDone, const std::vector<StepPoint>&, const std::vector<EvalPoint>& kept) override;
};

} // namespace sft::test
