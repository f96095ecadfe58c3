#pragma once
// Runs core runTraining() or runResume() on a worker thread and re-emits its reports as signals on the UI thread.

#include "core/train/train_events.h"
#include "ui/workers/job_runner.h"

#include <QString>

#include <vector>

namespace sft {
struct TrainJob;
struct TrainResult;
} // namespace sft

namespace sft::ui {

class TrainWorker : public JobRunner {
    Q_OBJECT
public:
    explicit TrainWorker(StudioState* state, QObject* parent = nullptr);

    // False when a run is going already; ConfigError (at once) for invalid options.
    bool startRun(const TrainJob& job);
    // Continues the run in runDir from its last checkpoint (moreEpochs > 0: beyond its plan), in
    // as many processes as it had.
    bool startResume(const QString& runDir, qint64 moreEpochs);

Q_SIGNALS:
    void stepDone(const sft::StepPoint& point, double etaSeconds);
    void evaluated(const sft::EvalPoint& point);
    void sampled(qint64 epoch, const QString& text);
    void message(const QString& text);
    // A resumed run starts after stepsDone steps; what the run had recorded up to there.
    void resumed(qint64 stepsDone, const std::vector<sft::StepPoint>& steps, const std::vector<sft::EvalPoint>& evals);
    // The model folder written at the end, or where a stop left off.
    void runSaved(const QString& checkpoint, bool stopped, qint64 steps);

private:
    void announce(const TrainResult& result); // runSaved, on the UI thread
};

} // namespace sft::ui
