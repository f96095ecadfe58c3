#pragma once
// A run directory is the unit of record of one fine-tuning run:
//   run.json        every setting, the dataset's sha256, the model source, versions, status
//   metrics.jsonl   one line per evaluation, appended and flushed as training goes
//   checkpoints/    model folders (final, or the step where the run was stopped)
// The GUI's runs list, comparisons and reloads read these; nothing lives only in memory.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sft {

class RunDirectory {
public:
    // A new run: the folder may not hold a run already (nothing is overwritten).
    static RunDirectory create(const std::string& dir);
    // An existing run; throws FormatError when run.json is missing or unreadable.
    static RunDirectory open(const std::string& dir);

    const std::string& path() const { return path_; }
    std::string runJsonPath() const { return path_ + "/run.json"; }
    std::string metricsPath() const { return path_ + "/metrics.jsonl"; }
    std::string checkpointPath(const std::string& name) const { return path_ + "/checkpoints/" + name; }

    nlohmann::json readRunJson() const;
    void writeRunJson(const nlohmann::json& run) const; // atomic replace
    void appendMetrics(const nlohmann::json& row) const;
    // Every complete line; a torn last line (a kill mid-write) is dropped.
    std::vector<nlohmann::json> readMetrics() const;

private:
    explicit RunDirectory(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

// Versions and machine facts recorded in run.json (and shown by --version).
nlohmann::json environmentInfo();

} // namespace sft
