#include "core/net/http_exchange.h"

#include "core/net/http_error.h"
#include "core/net/reply_loop.h"
#include "core/net/url.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <strings.h>

namespace sft {

std::string HttpResponse::header(std::string_view name) const
{
    for (const auto& [key, value] : headers)
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0)
            return value;
    return {};
}

std::string timeLimitText(int ms) { return QString::number(ms / 1000.0, 'g', 3).toStdString() + " s"; }

namespace {

// Errors of the connection itself, as opposed to an HTTP status the server chose to send.
bool transportError(QNetworkReply::NetworkError error)
{
    return (error > QNetworkReply::NoError && error < QNetworkReply::ContentAccessDenied) ||
           error == QNetworkReply::ProtocolFailure;
}

class Exchange {
public:
    Exchange(const HttpRequest& request, const HttpTimeouts& timeouts, const BodyFn& onBody,
             const HeadersFn& onHeaders, const JobControl* job)
        : request_(request), timeouts_(timeouts), onBody_(onBody), onHeaders_(onHeaders),
          where_(shownUrl(request.url, true)), loop_(job)
    {
    }

    HttpResponse run();

private:
    enum class Phase { Connecting, Waiting, Receiving };

    QNetworkReply* send();
    void enter(Phase phase);
    int limitMs() const;
    void deliver();
    void readHeaders();
    void throwIfStopped();
    void throwIfBroken();
    HttpError failure(HttpError::Kind kind, const std::string& message, const std::string& cause = {}) const;

    const HttpRequest& request_;
    const HttpTimeouts timeouts_;
    const BodyFn& onBody_;
    const HeadersFn& onHeaders_;
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
    QNetworkRequest request(QUrl(QString::fromStdString(request_.url)));
    for (const auto& [name, value] : request_.headers) {
        request.setRawHeader(QByteArray::fromStdString(name), QByteArray::fromStdString(value));
        // Qt sends the headers again to wherever a redirect points: an API key goes nowhere
        // but to the server it was given for.
        if (QByteArray::fromStdString(name).compare("Authorization", Qt::CaseInsensitive) == 0)
            request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    }
    if (!request_.followRedirects)
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!request_.jsonBody.empty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    return manager_.sendCustomRequest(request, QByteArray::fromStdString(request_.method),
                                      QByteArray::fromStdString(request_.jsonBody));
}

HttpResponse Exchange::run()
{
    reply_ = send();
    QObject::connect(reply_, &QNetworkReply::requestSent, [this] { enter(Phase::Waiting); });
    QObject::connect(reply_, &QNetworkReply::metaDataChanged, [this] { loop_.guarded([this] { readHeaders(); }); });
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

void Exchange::readHeaders()
{
    enter(Phase::Receiving);
    const QVariant status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (statusKnown_ || !status.isValid())
        return;
    response_.status = status.toInt();
    response_.reason = reply_->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray().toStdString();
    for (const auto& [name, value] : reply_->rawHeaderPairs())
        response_.headers.emplace_back(name.toStdString(), value.toStdString());
    statusKnown_ = true;
    if (onHeaders_)
        onHeaders_(response_);
}

void Exchange::deliver()
{
    readHeaders();
    if (!statusKnown_)
        return;
    const QByteArray bytes = reply_->readAll();
    if (!bytes.isEmpty())
        onBody_(response_, std::string_view(bytes.constData(), size_t(bytes.size())));
}

HttpError Exchange::failure(HttpError::Kind kind, const std::string& message, const std::string& cause) const
{
    const HttpError::Stage stage = phase_ == Phase::Connecting ? HttpError::Stage::Connecting
                                   : statusKnown_              ? HttpError::Stage::Receiving
                                                               : HttpError::Stage::Waiting;
    return HttpError(kind, message, stage, cause);
}

void Exchange::throwIfStopped()
{
    loop_.rethrowFailure();
    if (loop_.cancelled())
        throw Cancelled();
    if (loop_.timedOut() && phase_ == Phase::Connecting)
        throw failure(HttpError::Kind::Unreachable,
                      "no connection to " + where_ + " within " + timeLimitText(timeouts_.connectMs));
    if (loop_.timedOut() && phase_ == Phase::Waiting)
        throw failure(HttpError::Kind::Timeout,
                      where_ + " sent nothing for " + timeLimitText(timeouts_.firstByteMs) +
                          " after the request; a model that is still loading can take minutes, so raise the "
                          "first-byte timeout if the server is only slow");
    if (loop_.timedOut())
        throw failure(HttpError::Kind::Timeout,
                      where_ + " stopped sending for " + timeLimitText(timeouts_.idleMs) + " in the middle of the answer");
}

void Exchange::throwIfBroken()
{
    const QNetworkReply::NetworkError error = reply_->error();
    if (!transportError(error))
        return;
    const std::string why = reply_->errorString().toStdString();
    if (statusKnown_)
        throw failure(HttpError::Kind::Broken,
                      "the connection to " + where_ + " broke in the middle of the answer (" + why + ")", why);
    if (error == QNetworkReply::RemoteHostClosedError || error == QNetworkReply::ProtocolFailure)
        throw failure(HttpError::Kind::Broken,
                      where_ + " closed the connection without an HTTP answer (" + why +
                          "); check that the judge server, not another program, listens at that address",
                      why);
    throw failure(HttpError::Kind::Unreachable, "no server answers at " + where_ + " (" + why + ")", why);
}

} // namespace

HttpResponse httpExchange(const HttpRequest& request, const HttpTimeouts& timeouts, const BodyFn& onBody,
                          const JobControl* job, const HeadersFn& onHeaders)
{
    Exchange exchange(request, timeouts, onBody, onHeaders, job);
    return exchange.run();
}

} // namespace sft
