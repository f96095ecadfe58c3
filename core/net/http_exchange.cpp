#include "core/net/http_exchange.h"

#include "core/net/http_error.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

#include <exception>

namespace sft {

namespace {

std::string secondsText(int ms) { return QString::number(ms / 1000.0, 'g', 3).toStdString() + " s"; }

// Errors of the connection itself, as opposed to an HTTP status the server chose to send.
bool transportError(QNetworkReply::NetworkError error)
{
    return (error > QNetworkReply::NoError && error < QNetworkReply::ContentAccessDenied) ||
           error == QNetworkReply::ProtocolFailure;
}

class Exchange {
public:
    Exchange(const HttpRequest& request, const HttpTimeouts& timeouts, const BodyFn& onBody, const JobControl* job)
        : request_(request), timeouts_(timeouts), onBody_(onBody), job_(job),
          where_(request.url.toDisplayString(QUrl::RemoveUserInfo).toStdString())
    {
    }

    HttpResponse run();

private:
    enum class Phase { Connecting, Waiting, Receiving };

    QNetworkReply* send();
    void enter(Phase phase);
    void tick();
    void deliver();
    void guarded(const std::function<void()>& step);
    void throwIfStopped();
    void throwIfBroken();

    const HttpRequest& request_;
    const HttpTimeouts timeouts_;
    const BodyFn& onBody_;
    const JobControl* job_;
    const std::string where_;

    QNetworkAccessManager manager_;
    QNetworkReply* reply_ = nullptr;
    Phase phase_ = Phase::Connecting;
    QElapsedTimer sincePhase_;
    HttpResponse response_;
    bool statusKnown_ = false;
    bool cancelled_ = false;
    bool timedOut_ = false;
    std::exception_ptr failure_;
};

QNetworkReply* Exchange::send()
{
    QNetworkRequest request(request_.url);
    for (const auto& [name, value] : request_.headers) {
        request.setRawHeader(name, value);
        // Qt sends the headers again to wherever a redirect points: an API key goes nowhere
        // but to the server it was given for.
        if (name.compare("Authorization", Qt::CaseInsensitive) == 0)
            request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    }
    if (!request_.jsonBody.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    return manager_.sendCustomRequest(request, request_.method, request_.jsonBody);
}

HttpResponse Exchange::run()
{
    reply_ = send();
    QEventLoop loop;
    QTimer ticker;
    ticker.setInterval(25);
    QObject::connect(&ticker, &QTimer::timeout, [this] { tick(); });
    QObject::connect(reply_, &QNetworkReply::requestSent, [this] { enter(Phase::Waiting); });
    QObject::connect(reply_, &QNetworkReply::metaDataChanged, [this] { enter(Phase::Receiving); });
    QObject::connect(reply_, &QNetworkReply::readyRead, [this] { guarded([this] { deliver(); }); });
    QObject::connect(reply_, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    sincePhase_.start();
    ticker.start();
    if (!reply_->isFinished())
        loop.exec();
    ticker.stop();
    throwIfStopped();
    guarded([this] { deliver(); });
    throwIfStopped();
    throwIfBroken();
    return response_;
}

void Exchange::enter(Phase phase)
{
    phase_ = phase;
    sincePhase_.restart();
}

void Exchange::tick()
{
    if (job_ && job_->cancelRequested()) {
        cancelled_ = true;
        reply_->abort();
        return;
    }
    const int limit = phase_ == Phase::Connecting ? timeouts_.connectMs
                      : phase_ == Phase::Waiting  ? timeouts_.firstByteMs
                                                  : timeouts_.idleMs;
    if (sincePhase_.elapsed() > limit) {
        timedOut_ = true;
        reply_->abort();
    }
}

void Exchange::deliver()
{
    if (!statusKnown_) {
        const QVariant status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        if (!status.isValid())
            return;
        response_.status = status.toInt();
        response_.contentType = reply_->rawHeader("Content-Type");
        statusKnown_ = true;
    }
    enter(Phase::Receiving);
    const QByteArray bytes = reply_->readAll();
    if (!bytes.isEmpty())
        onBody_(response_, bytes);
}

// Exceptions must not cross Qt's event loop: keep the first one and stop the exchange.
void Exchange::guarded(const std::function<void()>& step)
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

void Exchange::throwIfStopped()
{
    if (failure_)
        std::rethrow_exception(failure_);
    if (cancelled_)
        throw Cancelled();
    if (timedOut_ && phase_ == Phase::Connecting)
        throw HttpError(HttpError::Kind::Unreachable,
                         "no connection to " + where_ + " within " + secondsText(timeouts_.connectMs));
    if (timedOut_ && phase_ == Phase::Waiting)
        throw HttpError(HttpError::Kind::Timeout,
                         where_ + " sent nothing for " + secondsText(timeouts_.firstByteMs) +
                             " after the request; a model that is still loading can take minutes, so raise the "
                             "first-byte timeout if the server is only slow");
    if (timedOut_)
        throw HttpError(HttpError::Kind::Timeout, where_ + " stopped sending for " +
                                                        secondsText(timeouts_.idleMs) + " in the middle of the answer");
}

void Exchange::throwIfBroken()
{
    const QNetworkReply::NetworkError error = reply_->error();
    if (!transportError(error))
        return;
    const std::string why = reply_->errorString().toStdString();
    if (statusKnown_)
        throw HttpError(HttpError::Kind::Broken,
                         "the connection to " + where_ + " broke in the middle of the answer (" + why + ")");
    if (error == QNetworkReply::RemoteHostClosedError || error == QNetworkReply::ProtocolFailure)
        throw HttpError(HttpError::Kind::Broken, where_ + " closed the connection without an HTTP answer (" + why +
                                                        "); check that the judge server, not another program, "
                                                        "listens at that address");
    throw HttpError(HttpError::Kind::Unreachable, "no server answers at " + where_ + " (" + why + ")");
}

} // namespace

HttpResponse httpExchange(const HttpRequest& request, const HttpTimeouts& timeouts, const BodyFn& onBody,
                          const JobControl* job)
{
    Exchange exchange(request, timeouts, onBody, job);
    return exchange.run();
}

} // namespace sft
