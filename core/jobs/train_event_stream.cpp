#include "core/jobs/train_event_stream.h"

#include "core/train/run_metrics.h"

namespace sft {

namespace {

nlohmann::json stepEvent(const StepPoint& p)
{
    return {{"row", stepPointToJson(p)}, {"total_steps", p.totalSteps}, {"tokens_per_second", p.tokensPerSecond}};
}

StepPoint stepFromEvent(const nlohmann::json& e)
{
    StepPoint p = stepPointFromJson(e.at("row"));
    p.totalSteps = e.at("total_steps");
    p.tokensPerSecond = e.at("tokens_per_second");
    return p;
}

} // namespace

void TrainEventWriter::write(const nlohmann::json& event)
{
    std::fputs((event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(), out_);
    std::fflush(out_);
}

void TrainEventWriter::onStep(const StepPoint& p) { write({{"event", "step"}, {"step", stepEvent(p)}}); }

void TrainEventWriter::onEvaluation(const EvalPoint& p) { write({{"event", "evaluation"}, {"row", evalPointToJson(p)}}); }

void TrainEventWriter::onSample(int64_t epoch, const std::string& text)
{
    write({{"event", "sample"}, {"epoch", epoch}, {"text", text}});
}

void TrainEventWriter::onMessage(const std::string& text) { write({{"event", "message"}, {"text", text}}); }

void TrainEventWriter::onResumed(int64_t stepsDone, const std::vector<StepPoint>& steps,
                                 const std::vector<EvalPoint>& evals)
{
    nlohmann::json stepRows = nlohmann::json::array(), evalRows = nlohmann::json::array();
    for (const StepPoint& p : steps)
        stepRows.push_back(stepEvent(p));
    for (const EvalPoint& p : evals)
        evalRows.push_back(evalPointToJson(p));
    write({{"event", "resumed"}, {"steps_done", stepsDone}, {"steps", stepRows}, {"evaluations", evalRows}});
}

void TrainEventWriter::writeResult(const TrainResult& r)
{
    write({{"event", "result"},
           {"stopped", r.stopped},
           {"early_stopped", r.earlyStopped},
           {"steps", r.steps},
           {"checkpoint", r.checkpoint}});
}

std::optional<TrainResult> readTrainEvent(const std::string& line, TrainObserver& observer)
{
    const nlohmann::json e = nlohmann::json::parse(line, nullptr, false);
    const std::string kind = e.is_object() ? e.value("event", "") : "";
    if (kind == "step")
        observer.onStep(stepFromEvent(e.at("step")));
    else if (kind == "evaluation")
        observer.onEvaluation(evalPointFromJson(e.at("row")));
    else if (kind == "sample")
        observer.onSample(e.at("epoch"), e.at("text"));
    else if (kind == "message")
        observer.onMessage(e.at("text"));
    else if (kind == "resumed") {
        std::vector<StepPoint> steps;
        std::vector<EvalPoint> evals;
        for (const nlohmann::json& s : e.at("steps"))
            steps.push_back(stepFromEvent(s));
        for (const nlohmann::json& r : e.at("evaluations"))
            evals.push_back(evalPointFromJson(r));
        observer.onResumed(e.at("steps_done"), steps, evals);
    } else if (kind == "result") {
        TrainResult r;
        r.stopped = e.at("stopped");
        r.earlyStopped = e.at("early_stopped");
        r.steps = e.at("steps");
        r.checkpoint = e.at("checkpoint");
        return r;
    } else if (!line.empty())
        observer.onMessage(line);
    return std::nullopt;
}

} // namespace sft
