#include "core/train/run_library.h"

#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/train/run_products.h"
#include "core/util/error.h"
#include "core/util/process_identity.h"

#include <nlohmann/json.hpp>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

namespace sft {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// The last complete line of a file that only grows by appended lines, read from its end: a
// long run's steps.jsonl has a line per step.
nlohmann::json lastRow(const std::string& path)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        return {};
    const std::streamoff size = in.tellg();
    const std::streamoff tail = std::min<std::streamoff>(size, 64 * 1024);
    std::string bytes(size_t(tail), '\0');
    in.seekg(size - tail);
    in.read(bytes.data(), tail);
    const size_t end = bytes.rfind('\n'); // a torn last line has none after it
    if (end == std::string::npos)
        return {};
    const size_t newlineBefore = end == 0 ? std::string::npos : bytes.rfind('\n', end - 1);
    const size_t begin = newlineBefore == std::string::npos ? 0 : newlineBefore + 1;
    return nlohmann::json::parse(bytes.substr(begin, end - begin), nullptr, false);
}

std::string modelLabel(const std::string& source)
{
    if (const auto run = runOfCheckpoint(source))
        return QFileInfo(qs(*run)).fileName().toStdString() + "/" + QFileInfo(qs(source)).fileName().toStdString();
    return QFileInfo(qs(source)).fileName().toStdString();
}

// Seconds since the newest write to the run's records.
double secondsSinceLastWrite(const RunDirectory& dir)
{
    QDateTime newest;
    for (const std::string& file : {dir.runJsonPath(), dir.metricsPath(), dir.stepsPath()}) {
        const QDateTime modified = QFileInfo(qs(file)).lastModified();
        if (modified.isValid() && (!newest.isValid() || modified > newest))
            newest = modified;
    }
    return newest.isValid() ? double(newest.secsTo(QDateTime::currentDateTime())) : 0.0;
}

QString minutesText(double seconds) { return QString::number(std::llround(seconds / 60)) + " min"; }

// Running, or what became of a run whose record still says running.
void judgeLiveness(RunSummary& s, const RunDirectory& dir, const nlohmann::json& run, std::chrono::seconds staleAfter)
{
    const nlohmann::json process = run.value("process", nlohmann::json());
    const std::string host = process.is_object() ? process.value("host", std::string()) : std::string();
    switch (processLiveness(process)) {
    case Liveness::Alive:
        s.status = RunStatus::Running;
        return;
    case Liveness::Gone:
        s.status = RunStatus::Failed;
        s.detail = "the process ended without finishing (killed, crashed or the machine restarted); "
                   "Resume continues from its last checkpoint";
        return;
    case Liveness::Elsewhere:
        break;
    }
    const double silent = secondsSinceLastWrite(dir);
    if (silent > double(staleAfter.count())) {
        s.status = RunStatus::Failed;
        s.detail = "nothing written for " + minutesText(silent).toStdString() +
                   (host.empty() ? std::string() : " by its process on " + host) +
                   ": it was probably stopped without finishing";
        return;
    }
    s.status = RunStatus::Running;
    if (!host.empty())
        s.detail = "on " + host;
}

// runStatusName's inverse; a status no version writes counts as failed.
RunStatus statusByName(const std::string& name)
{
    for (const RunStatus status : {RunStatus::Running, RunStatus::Finished, RunStatus::Stopped})
        if (name == runStatusName(status))
            return status;
    return RunStatus::Failed;
}

void readLosses(RunSummary& s, const std::string& runDir)
{
    for (const EvalPoint& p : readEvalPoints(runDir)) {
        if (std::isnan(p.valLoss))
            continue;
        s.lastValLoss = p.valLoss;
        if (!s.bestValLoss || p.valLoss < *s.bestValLoss)
            s.bestValLoss = p.valLoss;
        s.seconds = std::max(s.seconds, p.elapsedSeconds);
    }
}

double secondsSinceTimestamp(const std::string& iso)
{
    const QDateTime when = QDateTime::fromString(qs(iso), Qt::ISODate);
    return when.isValid() ? std::max<double>(0, double(when.secsTo(QDateTime::currentDateTimeUtc()))) : 0.0;
}

// Runs in one process, and runs of earlier versions, record no "distributed".
int worldSizeOf(const nlohmann::json& run)
{
    const nlohmann::json size = run.value(nlohmann::json::json_pointer("/distributed/world_size"), nlohmann::json(1));
    return size.is_number_integer() && size.get<int64_t>() > 0 ? size.get<int>() : 1;
}

void readRecords(RunSummary& s, const RunDirectory& dir, std::chrono::seconds staleAfter)
{
    const nlohmann::json run = dir.readRunJson();
    const std::string status = run.value("status", std::string());
    s.status = statusByName(status);
    if (s.status == RunStatus::Running)
        judgeLiveness(s, dir, run, staleAfter);
    else if (s.status == RunStatus::Failed)
        s.detail = run.value("error", status.empty() ? std::string("run.json records no status") : std::string());
    const nlohmann::json model = run.value("model", nlohmann::json::object());
    s.model = modelLabel(model.is_object() ? model.value("source", std::string()) : std::string());
    const nlohmann::json dataset = run.value("dataset", nlohmann::json::object());
    s.dataset = QFileInfo(qs(dataset.is_object() ? dataset.value("path", std::string()) : std::string()))
                    .fileName()
                    .toStdString();
    s.started = run.value("started", std::string());
    s.totalSteps = run.value("total_steps", int64_t(0));
    s.stepsDone = run.value("steps_done", int64_t(0));
    s.seconds = run.value("elapsed_seconds", 0.0);
    s.worldSize = worldSizeOf(run);
    readLosses(s, dir.path());
    if (status == "running") {
        // run.json is written when the run starts and ends; the steps in between are in steps.jsonl.
        const nlohmann::json last = lastRow(dir.stepsPath());
        if (last.is_object())
            s.stepsDone = std::max(s.stepsDone, last.value("step", int64_t(-1)) + 1);
        if (s.status == RunStatus::Running)
            s.seconds = std::max(s.seconds, run.value("elapsed_seconds", 0.0) +
                                                secondsSinceTimestamp(run.value("updated", std::string())));
    }
}

} // namespace

std::string defaultRunsFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
        .filePath("SFT Studio/runs")
        .toStdString();
}

const char* runStatusName(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return "running";
    case RunStatus::Finished: return "finished";
    case RunStatus::Stopped: return "stopped";
    case RunStatus::Failed: break;
    }
    return "failed";
}

RunSummary summarizeRun(const std::string& runDir, std::chrono::seconds staleAfter)
{
    RunSummary s;
    s.path = runDir;
    s.name = QFileInfo(qs(runDir)).fileName().toStdString();
    try {
        readRecords(s, RunDirectory::open(runDir), staleAfter);
    } catch (const std::exception& e) {
        s.status = RunStatus::Failed;
        s.detail = e.what();
    }
    return s;
}

std::vector<RunSummary> findRuns(const std::vector<std::string>& folders, std::chrono::seconds staleAfter)
{
    std::set<QString> seen;
    std::vector<RunSummary> runs;
    auto add = [&](const QString& dir) {
        const QString canonical = QFileInfo(dir).canonicalFilePath();
        if (!canonical.isEmpty() && seen.insert(canonical).second)
            runs.push_back(summarizeRun(QDir::cleanPath(dir).toStdString(), staleAfter));
    };
    for (const std::string& folder : folders) {
        const QString root = qs(folder);
        if (isRunFolder(folder)) {
            add(root);
            continue;
        }
        for (const QFileInfo& child : QDir(root).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (isRunFolder(child.filePath().toStdString()))
                add(child.filePath());
    }
    std::stable_sort(runs.begin(), runs.end(),
                     [](const RunSummary& a, const RunSummary& b) { return a.started > b.started; });
    return runs;
}

std::string renameRun(const std::string& runDir, const std::string& newName)
{
    const QString name = qs(newName).trimmed();
    if (name.isEmpty() || name.contains('/') || name == "." || name == "..")
        throw ConfigError("\"" + newName + "\" cannot name a folder");
    const QFileInfo from(qs(runDir));
    const QString to = from.dir().filePath(name);
    if (QFileInfo::exists(to))
        throw ConfigError(to.toStdString() + " exists already");
    if (summarizeRun(runDir).status == RunStatus::Running)
        throw ConfigError(runDir + " is running; rename it when it has stopped");
    if (!QDir().rename(from.filePath(), to))
        throw ConfigError("could not rename " + runDir + " to " + to.toStdString());
    return to.toStdString();
}

} // namespace sft
