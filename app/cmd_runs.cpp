// sft-studio runs: the runs library of the app's Runs view, for scripts and shells.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/train/run_library.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>

namespace sft::cli {

namespace {

std::string loss(const std::optional<double>& value)
{
    char text[32] = "-";
    if (value)
        std::snprintf(text, sizeof text, "%.3f", *value);
    return text;
}

std::string steps(const RunSummary& r)
{
    return std::to_string(r.stepsDone) + (r.totalSteps > 0 ? "/" + std::to_string(r.totalSteps) : std::string());
}

nlohmann::json toJson(const RunSummary& r)
{
    const auto optional = [](const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
    return {{"path", r.path},       {"name", r.name},
            {"status", runStatusName(r.status)}, {"detail", r.detail},
            {"model", r.model},     {"dataset", r.dataset},
            {"steps_done", r.stepsDone}, {"total_steps", r.totalSteps},
            {"best_val_loss", optional(r.bestValLoss)}, {"last_val_loss", optional(r.lastValLoss)},
            {"started", r.started}, {"seconds", r.seconds}};
}

void printTable(const std::vector<RunSummary>& runs)
{
    std::printf("%-28s %-9s %11s %8s %8s %8s  %s\n", "RUN", "STATUS", "STEPS", "BEST VAL", "LAST VAL", "SECONDS",
                "MODEL / DATASET");
    for (const RunSummary& r : runs) {
        std::printf("%-28s %-9s %11s %8s %8s %8lld  %s / %s\n", r.name.c_str(), runStatusName(r.status),
                    steps(r).c_str(), loss(r.bestValLoss).c_str(), loss(r.lastValLoss).c_str(),
                    (long long)std::llround(r.seconds), r.model.c_str(), r.dataset.c_str());
        if (!r.detail.empty())
            std::printf("  %s\n", r.detail.c_str());
    }
}

} // namespace

int cmdRuns(const QStringList& args)
{
    Options options("runs", "Lists the runs in the given folders (each run folder in them, and a folder that is a run "
                            "itself), newest first: status (running, finished, stopped, failed: a killed run's "
                            "process has ended), steps, best and last validation loss, training time.");
    options.add("json", "One JSON object per run and line, for scripts.");
    options.addPositional("FOLDER", "Folders of runs (default: the app's, Documents/SFT Studio/runs in your home).");
    if (!options.parse(args))
        return 0;
    std::vector<std::string> folders;
    for (const QString& folder : options.positional())
        folders.push_back(folder.toStdString());
    if (folders.empty())
        folders.push_back(defaultRunsFolder());
    const std::vector<RunSummary> runs = findRuns(folders);
    if (options.isSet("json")) {
        for (const RunSummary& r : runs)
            std::printf("%s\n", toJson(r).dump().c_str());
    } else {
        printTable(runs);
    }
    return 0;
}

} // namespace sft::cli
