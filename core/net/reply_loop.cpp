#include "core/net/reply_loop.h"

#include <QEventLoop>
#include <QNetworkReply>
#include <QTimer>

namespace sft {

void ReplyLoop::run(QNetworkReply* reply, const std::function<int()>& limitMs)
{
    reply_ = reply;
    cancelled_ = timedOut_ = false;
    failure_ = nullptr;
    QEventLoop loop;
    QTimer ticker;
    ticker.setInterval(25);
    QObject::connect(&ticker, &QTimer::timeout, [this, &limitMs] {
        if (job_ && job_->cancelRequested()) {
            cancelled_ = true;
            reply_->abort();
        } else if (sinceNews_.elapsed() > limitMs()) {
            timedOut_ = true;
            reply_->abort();
        }
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    sinceNews_.start();
    ticker.start();
    if (!reply->isFinished())
        loop.exec();
    ticker.stop();
}

void ReplyLoop::guarded(const std::function<void()>& step)
{
    if (failure_)
        return;
    try {
        step();
    } catch (...) {
        failure_ = std::current_exception();
        reply_->abort();
    }
}

void ReplyLoop::rethrowFailure() const
{
    if (failure_)
        std::rethrow_exception(failure_);
}

} // namespace sft
