#pragma once
// The names of what a run folder holds beyond its training record (RunDirectory): which folder
// is a run, which a checkpoint of one, and where a checkpoint's answers and their judges' scores
// go. Every view and command asks here, so a file one makes is the file another finds.
//   RUN/run.json                                  a run
//   RUN/checkpoints/NAME/                         a checkpoint of RUN
//   RUN/responses-NAME[-SPLIT].json               NAME's answers for a split (test: no suffix)
//   RUN/scores-NAME[-KEY]-JUDGE-PROMPT.json       a judge's scores of those answers, beside them

#include <optional>
#include <string>

namespace sft {

// True when `dir` holds run.json.
bool isRunFolder(const std::string& dir);
// The run that the model folder RUN/checkpoints/NAME belongs to; nullopt for any other folder.
std::optional<std::string> runOfCheckpoint(const std::string& modelDir);

inline constexpr const char* kResponsesPattern = "responses-*.json";
inline constexpr const char* kScoresPattern = "scores-*.json";
std::string responsesFileName(const std::string& checkpoint, const std::string& split = "test");
// The scores file of `responsesPath` by a judge model and prompt, beside it: judging again with
// another judge or prompt never overwrites earlier scores. Model names carry ':' and '/'
// (llama3:latest, org/model), which become '_'.
std::string scoresPathFor(const std::string& responsesPath, const std::string& responseKey,
                          const std::string& judgeModel, const std::string& promptName);

} // namespace sft
