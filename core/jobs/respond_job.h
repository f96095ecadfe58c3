#pragma once
// Answering a dataset split as one call, the same for `sft-studio respond` and the app's
// Evaluate view. Every batch's answers go to OUT.journal.jsonl as soon as they are decoded, so a
// stopped or killed job continues where it stopped when either front end runs it again.

#include "core/generate/generator.h"
#include "core/generate/responder.h"
#include "core/jobs/job_dataset.h"

#include <functional>
#include <string>
#include <vector>

namespace sft {

class LoadedModels;

struct RespondJob {
    std::string model;     // a model folder, or a downloaded model's name
    std::string data;
    std::string out;       // the responses file (the chapter's instruction-data-with-response.json)
    std::string tokenizer; // empty: the model folder's
    std::string split = "test";
    std::string templateName = "alpaca";
    std::string key = "model_response";
    GenerationOptions generation;
    // Answers a stopped job with other settings left in the journal: Refuse says what differs
    // (ConfigError); Discard starts over, as Restart does in any case.
    enum class Earlier { Refuse, Discard, Restart } earlier = Earlier::Refuse;
    bool strict = false; // refuse a dataset with any invalid entry
};

struct RespondEvents {
    NoteFn note;
    ProgressFn progress; // new tokens of all entries
    // The split's entries, before any answer; `kept` answers come from the journal, `discarded`
    // ones (made with other settings) are gone.
    std::function<void(const std::vector<Entry>& entries, size_t kept, size_t discarded)> loaded;
    AnswersFn answered;
};

// Writes job.out whole at the end and returns the number of answers. `models`: where the model
// is taken from, and kept for the next job (the app); none loads it for this call alone (the CLI).
size_t runResponding(const RespondJob& job, const RespondEvents& events = {}, const JobControl* control = nullptr,
                     LoadedModels* models = nullptr);

} // namespace sft
