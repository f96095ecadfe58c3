#include "core/train/run_directory.h"

#include "core/train/build_commit.h"
#include "core/util/blas_library.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <QtGlobal>

#include <torch/torch.h>
#include <torch/version.h>

#include <sstream>

namespace sft {

RunDirectory RunDirectory::create(const std::string& dir)
{
    if (fileExists(dir + "/run.json"))
        throw ConfigError(dir + " already holds a run; choose another --out folder (nothing was overwritten)");
    makeDirectories(dir + "/checkpoints");
    return RunDirectory(dir);
}

RunDirectory RunDirectory::open(const std::string& dir)
{
    RunDirectory run(dir);
    if (!fileExists(run.runJsonPath()))
        throw FormatError(dir + " is not a run folder: it has no run.json");
    run.readRunJson();
    return run;
}

nlohmann::json RunDirectory::readRunJson() const
{
    try {
        return nlohmann::json::parse(readFile(runJsonPath()));
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(runJsonPath() + " is not valid JSON: " + e.what());
    }
}

void RunDirectory::writeRunJson(const nlohmann::json& run) const
{
    writeFileAtomic(runJsonPath(), run.dump(2) + "\n");
}

void RunDirectory::appendMetrics(const nlohmann::json& row) const { appendLine(metricsPath(), row.dump()); }

void RunDirectory::appendStep(const nlohmann::json& row) const { appendLine(stepsPath(), row.dump()); }

std::vector<nlohmann::json> RunDirectory::readMetrics() const { return readRows(metricsPath()); }

std::vector<nlohmann::json> RunDirectory::readSteps() const { return readRows(stepsPath()); }

std::vector<nlohmann::json> RunDirectory::readRows(const std::string& file) const
{
    std::vector<nlohmann::json> rows;
    if (!fileExists(file))
        return rows;
    std::istringstream lines(readFile(file));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty())
            continue;
        try {
            rows.push_back(nlohmann::json::parse(line));
        } catch (const nlohmann::json::exception&) {
            if (lines.peek() != std::char_traits<char>::eof())
                throw FormatError(file + ": line " + std::to_string(rows.size() + 1) + " is not JSON");
        }
    }
    return rows;
}

void RunDirectory::dropRowsFrom(int64_t step) const
{
    keepRowsBefore(metricsPath(), step);
    keepRowsBefore(stepsPath(), step);
}

void RunDirectory::keepRowsBefore(const std::string& file, int64_t step) const
{
    if (!fileExists(file))
        return;
    std::string kept;
    for (const nlohmann::json& row : readRows(file))
        if (row.value("step", int64_t(0)) < step)
            kept += row.dump() + "\n";
    writeFileAtomic(file, kept);
}

nlohmann::json environmentInfo()
{
    return {{"sft_studio", SFT_VERSION},
            {"commit", SFT_GIT_COMMIT},
            {"libtorch", TORCH_VERSION},
            {"qt", qVersion()},
            {"blas", blasLibrary()},
            {"threads", torch::get_num_threads()}};
}

} // namespace sft
