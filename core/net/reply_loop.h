#pragma once
// One QNetworkReply run to its end in a local event loop, so that blocking HTTP works from the
// CLI, the GUI thread and a worker thread with no event loop of its own. Every 25 ms the loop
// polls the job's cancel flag and the time since the last news (restartClock()); either aborts
// the reply. The reply's handlers run through guarded(): exceptions must not cross Qt's event
// loop, so the first one aborts the reply and rethrowFailure() throws it afterwards.
// httpExchange, the one HTTP call of core, runs its replies here.

#include "core/util/job_control.h"

#include <QElapsedTimer>

#include <exception>
#include <functional>

class QNetworkReply;

namespace sft {

class ReplyLoop {
public:
    explicit ReplyLoop(const JobControl* job) : job_(job) {}

    // Returns when `reply` has finished, was aborted for a time limit (timedOut()), or was
    // cancelled (cancelled()). `limitMs` says how long the reply may go without news now.
    void run(QNetworkReply* reply, const std::function<int()>& limitMs);
    void guarded(const std::function<void()>& step);
    void restartClock() { sinceNews_.restart(); }

    void rethrowFailure() const;
    bool cancelled() const { return cancelled_; }
    bool timedOut() const { return timedOut_; }

private:
    const JobControl* job_;
    QNetworkReply* reply_ = nullptr;
    QElapsedTimer sinceNews_;
    bool cancelled_ = false;
    bool timedOut_ = false;
    std::exception_ptr failure_;
};

} // namespace sft
