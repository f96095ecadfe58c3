#pragma once
// Runs core train() on a worker thread and re-emits its reports as signals on the UI thread.

#include "core/train/train_events.h"
#include "core/train/train_options.h"
#include "ui/job_runner.h"

#include <QString>

namespace sft::ui {

struct TrainRequest {
    QString model;   // model folder or downloaded model name
    QString dataset;
    QString runDir;  // a new folder
    TrainOptions options;
    bool skipBadEntries = true;
};

class TrainWorker : public JobRunner {
    Q_OBJECT
public:
    explicit TrainWorker(StudioState* state, QObject* parent = nullptr);

    // False when a run is going already.
    bool startRun(const TrainRequest& request);

Q_SIGNALS:
    void stepDone(const sft::StepPoint& point, double etaSeconds);
    void evaluated(const sft::EvalPoint& point);
    void sampled(qint64 epoch, const QString& text);
    void message(const QString& text);
    // The model folder written at the end, or where a stop left off.
    void runSaved(const QString& checkpoint, bool stopped, qint64 steps);
};

} // namespace sft::ui
