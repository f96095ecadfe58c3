#include "core/net/http_exchange.h"

#include "core/net/http_error.h"
#include "core/net/reply_loop.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>


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
        : request_(request), timeouts_(timeouts), onBody_(onBody),
          where_(request.url.toDisplayString(QUrl::RemoveUserInfo).toStdString()), loop_(job)
    {
    }

    HttpResponse run();

private:
    enum class Phase { Connecting, Waiting, Receiving };

    QNetworkReply* send();
    void enter(Phase phase);
    int limitMs() const;
    void deliver();
    void throwIfStopped();
    void throwIfBroken();

    const HttpRequest& request_;
    const HttpTimeouts timeouts_;
    const BodyFn& onBody_;
    const std::string where_;

    QNetworkAccessManager manager_;
    QNetworkReply* reply_ = nullptr;
    ReplyLoop loop_;
    Phase phase_ = Phase::Connecting;
    HttpResponse response_;
    bool statusKnown_ = false;
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
    QObject::connect(reply_, &QNetworkReply::requestSent, [this] { enter(Phase::Waiting); });
    QObject::connect(reply_, &QNetworkReply::metaDataChanged, [this] { enter(Phase::Receiving); });
    QObject::connect(reply_, &QNetworkReply::readyRead, [this] { loop_.guarded([this] { deliver(); }); });
    loop_.run(reply_, [this] { return limitMs(); });
    throwIfStopped();
    loop_.guarded([this] { deliver(); });
    throwIfStopped();
    throwIfBroken();
    return response_;
}

void Exchange::enter(Phase phase)
{
    phase_ = phase;
    loop_.restartClock();
}

int Exchange::limitMs() const
{
    return phase_ == Phase::Connecting ? timeouts_.connectMs
           : phase_ == Phase::Waiting  ? timeouts_.firstByteMs
                                       : timeouts_.idleMs;
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

void Exchange::throwIfStopped()
{
    loop_.rethrowFailure();
    if (loop_.cancelled())
        throw Cancelled();
    if (loop_.timedOut() && phase_ == Phase::Connecting)
        throw HttpError(HttpError::Kind::Unreachable,
                         "no connection to " + where_ + " within " + secondsText(timeouts_.connectMs));
    if (loop_.timedOut() && phase_ == Phase::Waiting)
        throw HttpError(HttpError::Kind::Timeout,
                         where_ + " sent nothing for " + secondsText(timeouts_.firstByteMs) +
                             " after the request; a model that is still loading can take minutes, so raise the "
                             "first-byte timeout if the server is only slow");
    if (loop_.timedOut())
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
