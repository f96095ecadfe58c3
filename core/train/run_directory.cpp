#include "core/train/run_directory.h"

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

std::vector<nlohmann::json> RunDirectory::readMetrics() const
{
    std::vector<nlohmann::json> rows;
    if (!fileExists(metricsPath()))
        return rows;
    std::istringstream lines(readFile(metricsPath()));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty())
            continue;
        try {
            rows.push_back(nlohmann::json::parse(line));
        } catch (const nlohmann::json::exception&) {
            if (lines.peek() != std::char_traits<char>::eof())
                throw FormatError(metricsPath() + ": line " + std::to_string(rows.size() + 1) + " is not JSON");
        }
    }
    return rows;
}

nlohmann::json environmentInfo()
{
    return {{"sft_studio", SFT_VERSION},
            {"libtorch", TORCH_VERSION},
            {"qt", qVersion()},
            {"threads", torch::get_num_threads()}};
}

} // namespace sft
