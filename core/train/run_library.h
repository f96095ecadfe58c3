#pragma once
// The runs a user has made: every run folder in the given folders, summed up from what the
// folder records (run.json, metrics.jsonl, steps.jsonl), so that a list of them is live whoever
// writes them: this app, the CLI, or another machine on a shared folder.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sft {

enum class RunStatus { Running, Finished, Stopped, Failed };
const char* runStatusName(RunStatus status);

struct RunSummary {
    std::string path;
    std::string name; // the folder's name
    RunStatus status = RunStatus::Failed;
    // Why it failed, or where it runs when that is another machine; empty otherwise.
    std::string detail;
    std::string model;   // what it was trained from: a model folder's name, or RUN/CHECKPOINT
    std::string dataset; // the dataset file's name
    int64_t stepsDone = 0;
    int64_t totalSteps = 0; // 0: not recorded (runs of earlier versions)
    std::optional<double> bestValLoss, lastValLoss;
    std::string started; // ISO 8601, UTC
    double seconds = 0;  // training time so far
    int worldSize = 1;   // processes that trained it together (data parallel), on all machines
};

// Where new runs go unless told otherwise: Documents/SFT Studio/runs.
std::string defaultRunsFolder();

// How long a run on another machine may write nothing before it counts as failed: longer than
// any one step or evaluation of the models this app trains on a CPU.
inline constexpr std::chrono::minutes kStaleAfter{15};

// A run folder summed up. A run recorded as running whose process has ended (killed, crashed,
// the machine restarted) is Failed, and so is one on another machine silent for staleAfter. A
// folder whose records cannot be read is Failed with the reason.
RunSummary summarizeRun(const std::string& runDir, std::chrono::seconds staleAfter = kStaleAfter);

// Every run folder that is one of `folders` or directly in one, each once, newest first.
// Folders that do not exist are skipped.
std::vector<RunSummary> findRuns(const std::vector<std::string>& folders,
                                 std::chrono::seconds staleAfter = kStaleAfter);

// Renames the run folder (in place, same parent) and returns the new path. ConfigError for a
// name that is empty, has a '/', is taken, or for a run that is running.
std::string renameRun(const std::string& runDir, const std::string& newName);

} // namespace sft
