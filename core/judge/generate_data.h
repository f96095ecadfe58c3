#pragma once
// New instruction/response pairs from a local model, as the book's llama3-ollama notebook
// (ch07/05_dataset-generation) makes them with the Magpie trick: Llama 3's pre-query template,
// sent to Ollama as an assistant message, makes the model write an instruction; its first
// non-empty line is the instruction, and the model's answer to it, asked as a user message, the
// output. An OpenAI-compatible server has no such back door: it is asked in plain words for one
// new instruction in the style of a few example instructions drawn from a dataset.
//
// The notebook puts seed and temperature at the top level of the request, where Ollama ignores
// them, so its runs are not reproducible. Here they go inside "options", and each entry asks
// with a seed of its own drawn from the run's seed and its number: a rerun makes the same
// entries, and the entries differ from each other. Each instruction and each output lands in a
// journal (OUT.journal.jsonl) as soon as it is known, so a stopped or killed run continues where
// it stopped and asks nothing twice; OUT is written whole at the end. A journal holding more
// entries than asked for stays, so a smaller count writes the first ones at once and a larger
// one later goes on.

#include "core/judge/ask_judge.h"
#include "core/judge/judge_client.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sft {

// The notebook's query: Llama 3's template up to where the user's message would begin.
extern const char* const kPreQueryTemplate;
// For OpenAI-compatible servers, with {examples}: three example instructions, one per line.
extern const char* const kExamplesPrompt;

// The notebook's temperature and top_p, with room for a whole answer (it sets no limit).
inline SamplingOptions generationSampling()
{
    SamplingOptions options;
    options.temperature = 1.0;
    options.topP = 1.0;
    options.numPredict = 1024;
    return options;
}

struct GenerationSettings {
    std::string outPath;
    size_t count = 0; // entries to make
    std::string model = "llama3";
    // OpenAI-compatible servers only: the dataset the example instructions are drawn from.
    std::string examplesPath;
    SamplingOptions options = generationSampling(); // its seed is the run's; see entrySeed
    RetryPolicy retry; // maxAttempts also bounds the seeds drawn for a reply without an instruction
    bool restart = false; // discard a journal made for another setup
};

struct GenerationEvents {
    ProgressFn progress; // entries made of all entries
    NoteFn note;
};

struct GenerationResult {
    size_t entries = 0;
    size_t generated = 0; // made (or finished) by this run
    size_t reused = 0;    // made whole by an earlier, stopped run
    size_t redrawn = 0;   // replies without an instruction or answer, asked again with another seed
};

// The seed entry `index` asks with, on its `draw`-th try: a function of the three alone, in
// 0..2^31-1 (every server takes that), so a rerun asks the same.
int64_t entrySeed(int64_t runSeed, size_t index, int draw = 0);
// The notebook's extract_instruction: the first line that is not empty, stripped. A line of
// blanks counts as empty here; the notebook returns it as an empty instruction.
std::string extractInstruction(const std::string& reply);
// kExamplesPrompt for entry `index`: three different ones of `instructions` (all, when there are
// fewer), drawn with the run's seed, each as a line "- text".
std::string examplesPromptFor(const std::vector<std::string>& instructions, int64_t runSeed, size_t index);

// Throws JudgeError when the server is gone or refuses, or when an entry gets no instruction
// in retry.maxAttempts draws; Cancelled when stopped (the journal keeps what was done);
// ConfigError for a journal of another setup or for examples given to Ollama (or none to an
// OpenAI-compatible server); DatasetError for unusable examples.
GenerationResult generateData(JudgeClient& client, const GenerationSettings& settings,
                              const GenerationEvents& events = {}, const JobControl* job = nullptr);

} // namespace sft
