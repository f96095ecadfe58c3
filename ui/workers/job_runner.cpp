#include "ui/workers/job_runner.h"

#include "core/util/error.h"
#include "ui/studio_state.h"

#include <QThread>

#include <exception>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace sft::ui {

namespace {

// Jobs yield to the UI thread: on Linux a thread's nice value is its own and the threads it
// starts (LibTorch's OpenMP team) inherit it, so a busy machine still redraws at once.
void yieldToTheUiThread()
{
#ifdef Q_OS_LINUX
    setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), 10);
#endif
}

} // namespace

JobRunner::JobRunner(const QString& name, StudioState* state, QObject* parent)
    : QObject(parent), name_(name), state_(state)
{
}

JobRunner::~JobRunner()
{
    if (thread_) {
        control_->requestCancel();
        thread_->wait();
        delete thread_;
    }
    if (running_ && state_)
        state_->jobEnded(this, tr("stopped"));
}

bool JobRunner::start(std::function<void()> work)
{
    if (running_)
        return false;
    if (thread_) {
        thread_->wait();
        delete thread_;
    }
    control_ = std::make_shared<JobControl>();
    running_ = true;
    cancelled_ = false;
    error_.clear();
    clock_.start();
    thread_ = QThread::create([this, work = std::move(work)] {
        yieldToTheUiThread();
        try {
            work();
        } catch (const Cancelled&) {
            cancelled_ = true;
        } catch (const std::exception& e) {
            error_ = QString::fromStdString(e.what());
        }
    });
    thread_->setObjectName(name_);
    connect(thread_, &QThread::finished, this, &JobRunner::onThreadFinished, Qt::QueuedConnection);
    if (state_)
        state_->jobStarted(this);
    thread_->start();
    Q_EMIT started();
    return true;
}

void JobRunner::post(std::function<void()> fn)
{
    QMetaObject::invokeMethod(this, std::move(fn), Qt::QueuedConnection);
}

void JobRunner::cancel()
{
    control_->requestCancel();
}

void JobRunner::setPaused(bool paused)
{
    if (paused == control_->paused())
        return;
    control_->setPaused(paused);
    Q_EMIT pausedChanged(paused);
}

bool JobRunner::wait(unsigned long milliseconds)
{
    return !thread_ || thread_->wait(milliseconds);
}

void JobRunner::onThreadFinished()
{
    if (!running_)
        return;
    running_ = false;
    const bool ok = !cancelled_ && error_.isEmpty();
    if (state_)
        state_->jobEnded(this, ok ? tr("finished") : cancelled_ ? tr("stopped") : tr("failed"));
    Q_EMIT finished(ok, cancelled_, error_);
}

} // namespace sft::ui
