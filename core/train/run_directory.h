#pragma once
// A run directory is the unit of record of one fine-tuning run:
//   run.json        every setting, the dataset's sha256, the model source, versions, status
//   metrics.jsonl   one line per evaluation, appended and flushed as training goes
//   steps.jsonl     one line per optimizer step: loss, learning rate, gradient norm
//   tokenizer/      the tokenizer the run was trained with, for resuming it
//   checkpoints/    model folders: final, step-NNNNNN (resumable), best
// The GUI's runs list, comparisons and reloads read these; nothing lives only in memory.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace sft {

class RunDirectory {
public:
    // A new run: the folder may not hold a run already (nothing is overwritten).
    static RunDirectory create(const std::string& dir);
    // The folder of a run another process writes (rank 0 of a distributed run): nothing is
    // created or checked, and this process only reads from it.
    static RunDirectory writtenElsewhere(const std::string& dir) { return RunDirectory(dir); }
    // An existing run; throws FormatError when run.json is missing or unreadable.
    static RunDirectory open(const std::string& dir);

    const std::string& path() const { return path_; }
    std::string runJsonPath() const { return path_ + "/run.json"; }
    std::string metricsPath() const { return path_ + "/metrics.jsonl"; }
    std::string stepsPath() const { return path_ + "/steps.jsonl"; }
    std::string tokenizerPath() const { return path_ + "/tokenizer"; }
    std::string checkpointsPath() const { return path_ + "/checkpoints"; }
    std::string checkpointPath(const std::string& name) const { return path_ + "/checkpoints/" + name; }

    nlohmann::json readRunJson() const;
    void writeRunJson(const nlohmann::json& run) const; // atomic replace
    void appendMetrics(const nlohmann::json& row) const;
    void appendStep(const nlohmann::json& row) const;
    // Every complete line; a torn last line (a kill mid-write) is dropped.
    std::vector<nlohmann::json> readMetrics() const;
    std::vector<nlohmann::json> readSteps() const;
    // Forgets the rows of steps >= step in metrics.jsonl and steps.jsonl (and a torn last
    // line): a resumed run redoes those steps and writes them again.
    void dropRowsFrom(int64_t step) const;

private:
    explicit RunDirectory(std::string path) : path_(std::move(path)) {}
    std::vector<nlohmann::json> readRows(const std::string& file) const;
    void keepRowsBefore(const std::string& file, int64_t step) const;
    std::string path_;
};

// Versions and machine facts recorded in run.json (and shown by --version).
nlohmann::json environmentInfo();

} // namespace sft
