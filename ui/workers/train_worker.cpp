#include "ui/workers/train_worker.h"

#include "core/jobs/train_job.h"

#include <chrono>

namespace sft::ui {

namespace {

// Hands each report to the UI thread; estimates the time left from the steps done so far.
class PostingObserver : public TrainObserver {
public:
    explicit PostingObserver(TrainWorker* worker) : worker_(worker) {}

    void onStep(const StepPoint& p) override
    {
        const auto now = std::chrono::steady_clock::now();
        if (p.step == firstStep_ || firstStep_ < 0) {
            firstStep_ = p.step;
            start_ = now;
        }
        const int64_t done = p.step - firstStep_ + 1;
        const double perStep = std::chrono::duration<double>(now - start_).count() / double(done);
        const double eta = perStep * double(p.totalSteps - p.step - 1);
        worker_->post([w = worker_, p, eta] { Q_EMIT w->stepDone(p, eta); });
    }
    void onEvaluation(const EvalPoint& p) override
    {
        worker_->post([w = worker_, p] { Q_EMIT w->evaluated(p); });
    }
    void onSample(int64_t epoch, const std::string& text) override
    {
        worker_->post([w = worker_, epoch, t = QString::fromStdString(text)] { Q_EMIT w->sampled(epoch, t); });
    }
    void onMessage(const std::string& text) override { say(QString::fromStdString(text)); }
    void onResumed(int64_t stepsDone, const std::vector<StepPoint>& steps, const std::vector<EvalPoint>& evals) override
    {
        firstStep_ = stepsDone; // the time left is estimated from the steps of this session
        worker_->post([w = worker_, stepsDone, steps, evals] { Q_EMIT w->resumed(stepsDone, steps, evals); });
    }
    void say(const QString& text)
    {
        worker_->post([w = worker_, text] { Q_EMIT w->message(text); });
    }

private:
    TrainWorker* worker_;
    int64_t firstStep_ = -1;
    std::chrono::steady_clock::time_point start_;
};

} // namespace

TrainWorker::TrainWorker(StudioState* state, QObject* parent) : JobRunner(tr("Training"), state, parent) {}

bool TrainWorker::startRun(const TrainJob& job)
{
    job.options.validate();
    return start([this, job] {
        PostingObserver observer(this);
        announce(runTraining(job, observer, control()));
    });
}

bool TrainWorker::startResume(const QString& runDir, qint64 moreEpochs)
{
    // No process count: runResume continues with as many processes as the run had.
    const ResumeJob job{runDir.toStdString(), moreEpochs, std::nullopt, std::nullopt};
    return start([this, job] {
        PostingObserver observer(this);
        announce(runResume(job, observer, control()));
    });
}

void TrainWorker::announce(const TrainResult& result)
{
    post([this, result] { Q_EMIT runSaved(QString::fromStdString(result.checkpoint), result.stopped, result.steps); });
}

} // namespace sft::ui
