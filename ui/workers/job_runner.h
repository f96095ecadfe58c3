#pragma once
// Runs one piece of core work on its own QThread and hands results back to the UI thread as
// queued calls. Views never compute: they start a job, and draw what it posts. Pause and
// cancel are the core's JobControl flags, polled between steps.

#include "core/util/job_control.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>

#include <climits>

#include <functional>
#include <memory>

class QThread;

namespace sft::ui {

class StudioState;

class JobRunner : public QObject {
    Q_OBJECT
public:
    // `state` (optional) learns when the job runs, so the window can ask before closing.
    JobRunner(const QString& name, StudioState* state, QObject* parent = nullptr);
    ~JobRunner() override; // cancels and waits: a job never outlives its view

    QString name() const { return name_; }
    bool isRunning() const { return running_; }
    bool isPaused() const { return control_->paused(); }
    // Since the current (or last) job started.
    double seconds() const { return clock_.isValid() ? double(clock_.elapsed()) / 1000.0 : 0.0; }
    // The flags of the current job; each start gets fresh ones.
    const JobControl* control() const { return control_.get(); }

    // Runs `work` on a new thread. sft::Cancelled ends it as cancelled; any other exception
    // becomes the error text of finished(). Returns false when a job is already running.
    bool start(std::function<void()> work);
    // Runs `fn` on the UI thread, after everything posted before it. Call from the work.
    void post(std::function<void()> fn);

    void cancel();
    void setPaused(bool paused);
    bool wait(unsigned long milliseconds = ULONG_MAX); // for closing and tests

Q_SIGNALS:
    void started();
    void pausedChanged(bool paused);
    // ok: the work returned; cancelled: it stopped on request; else error says why.
    void finished(bool ok, bool cancelled, const QString& error);

private:
    void onThreadFinished();

    QString name_;
    // Guarded: the window may destroy the state before the views that own runners.
    QPointer<StudioState> state_;
    QThread* thread_ = nullptr;
    std::shared_ptr<JobControl> control_ = std::make_shared<JobControl>();
    bool running_ = false;
    bool cancelled_ = false;
    QString error_;
    QElapsedTimer clock_;
};

} // namespace sft::ui
