#include "core/train/run_metrics.h"

#include "core/train/run_directory.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <cmath>
#include <limits>

namespace sft {

namespace {

// NaN (the loss of an empty split) is not JSON; it is recorded as null.
nlohmann::json number(double v)
{
    return std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
}

double numberAt(const nlohmann::json& row, const char* key)
{
    if (!row.contains(key))
        throw FormatError(std::string("metrics row lacks '") + key + "': " + row.dump());
    const nlohmann::json& v = row.at(key);
    if (v.is_null())
        return std::numeric_limits<double>::quiet_NaN();
    if (!v.is_number())
        throw FormatError(std::string("metrics row has a non-numeric '") + key + "': " + row.dump());
    return v.get<double>();
}

// DPO's reward columns: <prefix>chosen_reward, <prefix>rejected_reward, <prefix>reward_margin.
void addRewards(nlohmann::json& row, const std::string& prefix, const std::optional<Rewards>& rewards)
{
    if (!rewards)
        return;
    row[prefix + "chosen_reward"] = number(rewards->chosen);
    row[prefix + "rejected_reward"] = number(rewards->rejected);
    row[prefix + "reward_margin"] = number(rewards->margin());
}

std::optional<Rewards> readRewards(const nlohmann::json& row, const std::string& prefix)
{
    const std::string chosen = prefix + "chosen_reward", rejected = prefix + "rejected_reward";
    if (!row.contains(chosen))
        return std::nullopt;
    return Rewards{numberAt(row, chosen.c_str()), numberAt(row, rejected.c_str())};
}

} // namespace

nlohmann::json evalPointToJson(const EvalPoint& p)
{
    nlohmann::json row = {{"epoch", p.epoch},
                          {"step", p.step},
                          {"tokens_seen", p.tokensSeen},
                          {"train_loss", number(p.trainLoss)},
                          {"val_loss", number(p.valLoss)},
                          {"elapsed_s", p.elapsedSeconds}};
    addRewards(row, "train_", p.trainRewards);
    addRewards(row, "val_", p.valRewards);
    return row;
}

EvalPoint evalPointFromJson(const nlohmann::json& row)
{
    if (!row.is_object())
        throw FormatError("metrics row is not an object: " + row.dump());
    EvalPoint p;
    p.epoch = row.value("epoch", int64_t(0));
    p.step = row.value("step", int64_t(0));
    p.tokensSeen = row.value("tokens_seen", int64_t(0));
    p.elapsedSeconds = row.value("elapsed_s", 0.0);
    p.trainLoss = numberAt(row, "train_loss");
    p.valLoss = numberAt(row, "val_loss");
    p.trainRewards = readRewards(row, "train_");
    p.valRewards = readRewards(row, "val_");
    return p;
}

std::vector<EvalPoint> readEvalPoints(const std::string& runDir)
{
    const RunDirectory run = RunDirectory::open(runDir);
    if (!fileExists(run.metricsPath()))
        return {};
    std::vector<EvalPoint> points;
    for (const nlohmann::json& row : run.readMetrics())
        points.push_back(evalPointFromJson(row));
    return points;
}

nlohmann::json stepPointToJson(const StepPoint& p)
{
    nlohmann::json row = {{"epoch", p.epoch},
                          {"step", p.step},
                          {"tokens_seen", p.tokensSeen},
                          {"loss", number(p.loss)},
                          {"lr", p.learningRate},
                          {"grad_norm", number(p.gradNorm)}};
    addRewards(row, "", p.rewards);
    if (p.syncSeconds > 0)
        row["allreduce_seconds"] = p.syncSeconds;
    return row;
}

StepPoint stepPointFromJson(const nlohmann::json& row)
{
    if (!row.is_object())
        throw FormatError("steps row is not an object: " + row.dump());
    StepPoint p;
    p.epoch = row.value("epoch", int64_t(0));
    p.step = row.value("step", int64_t(0));
    p.tokensSeen = row.value("tokens_seen", int64_t(0));
    p.loss = numberAt(row, "loss");
    p.learningRate = numberAt(row, "lr");
    p.gradNorm = numberAt(row, "grad_norm");
    p.syncSeconds = row.value("allreduce_seconds", 0.0);
    p.rewards = readRewards(row, "");
    return p;
}

std::vector<StepPoint> readStepPoints(const std::string& runDir)
{
    std::vector<StepPoint> points;
    for (const nlohmann::json& row : RunDirectory::open(runDir).readSteps())
        points.push_back(stepPointFromJson(row));
    return points;
}

} // namespace sft
