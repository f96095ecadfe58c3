#pragma once
// Preference data made with a local model, as the book's create-preference-data-ollama notebook
// makes it: for each entry one of two styles is drawn ("polite" or "impolite"), the model is
// asked to rewrite the reference answer slightly in that direction, and the answer in the
// preferred style becomes `chosen`, the other one `rejected` (the rewrite is one of the two, the
// original answer the other). Each rewrite lands in a journal (OUT.journal.jsonl) as soon as it
// is known, so a stopped or killed run continues where it stopped; OUT is written whole at the end.

#include "core/data/dataset.h"
#include "core/judge/ask_judge.h"
#include "core/judge/judge_client.h"

#include <cstdint>
#include <string>

namespace sft {

// The notebook's prompt, word for word ("Only return return ..." included), with {input} (the
// Alpaca prompt of the entry), {output} and {style}.
extern const char* const kRewritePrompt;

// A judge's sampling with room for a whole rewritten answer (the notebook sets no limit).
inline SamplingOptions rewriteSampling()
{
    SamplingOptions options;
    options.numPredict = 1024;
    return options;
}

struct PreferenceSettings {
    std::string dataPath;
    std::string outPath;
    std::string model = "llama3";
    std::string prompt = kRewritePrompt;
    std::string style = "polite";      // the preferred direction ...
    std::string opposite = "impolite"; // ... and the other one
    SamplingOptions options = rewriteSampling(); // its seed also draws each entry's direction
    RetryPolicy retry;
    bool redo = false;    // rewrite entries that already have chosen and rejected as well
    bool restart = false; // discard a journal made for another setup
};

struct PreferenceEvents {
    ProgressFn progress; // entries done of all entries
    NoteFn note;
};

struct PreferenceRunResult {
    size_t entries = 0;
    size_t kept = 0;      // entries that had both answers and kept them
    size_t rewritten = 0; // rewritten by this run
    size_t reused = 0;    // rewritten by an earlier, stopped run
};

// The direction entry `index` gets: depends on the seed and the index alone, so a rerun draws the same.
std::string drawStyle(const PreferenceSettings& settings, size_t index);
// The prompt for one entry and direction: settings.prompt with its fields filled in.
std::string rewritePromptFor(const PreferenceSettings& settings, const Entry& entry, const std::string& style);

// Throws JudgeError when the server is gone or refuses, Cancelled when stopped (the journal
// keeps what was done), ConfigError for a journal of another setup, DatasetError for bad data.
PreferenceRunResult makePreferences(JudgeClient& client, const PreferenceSettings& settings,
                                    const PreferenceEvents& events = {}, const JobControl* job = nullptr);

} // namespace sft
