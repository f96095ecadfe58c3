#pragma once
// A run's loss curve read back from metrics.jsonl (and its steps from steps.jsonl), for redrawing charts of finished or
// interrupted runs and for comparing runs.

#include "core/train/train_events.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sft {

// The evaluation row written to metrics.jsonl, and back. A row lacking a loss is an error
// (FormatError naming the missing key): a chart must not silently skip points.
nlohmann::json evalPointToJson(const EvalPoint& point);
EvalPoint evalPointFromJson(const nlohmann::json& row);

// Every evaluation of the run in runDir; empty when it has none yet.
std::vector<EvalPoint> readEvalPoints(const std::string& runDir);

// The per-step row of steps.jsonl (epoch, step, tokens seen, loss, learning rate, gradient
// norm), and back; the measured speed is not recorded.
nlohmann::json stepPointToJson(const StepPoint& point);
StepPoint stepPointFromJson(const nlohmann::json& row);
std::vector<StepPoint> readStepPoints(const std::string& runDir);

} // namespace sft
