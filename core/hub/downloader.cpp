#include "core/hub/downloader.h"

#include "core/hub/download_error.h"
#include "core/hub/part_file.h"
#include "core/net/reply_loop.h"
#include "core/util/files.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <memory>
#include <set>

namespace sft {

namespace {

constexpr int kMaxRedirects = 10;
constexpr int kProgressEveryMs = 100;

// Signed CDN addresses carry long queries that say nothing to a person.
std::string shown(const QUrl& url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery).toStdString();
}

std::string secondsText(int ms) { return QString::number(ms / 1000.0, 'g', 3).toStdString() + " s"; }

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool sameOrigin(const QUrl& a, const QUrl& b)
{
    return a.scheme() == b.scheme() && a.host() == b.host() && a.port() == b.port();
}

// Failures of the connection itself, as opposed to an HTTP status the server chose to send.
bool transportError(QNetworkReply::NetworkError error)
{
    return (error > QNetworkReply::NoError && error < QNetworkReply::ContentAccessDenied) ||
           error == QNetworkReply::ProtocolFailure;
}

struct ContentRange {
    int64_t first = -1; // -1 for "bytes */total"
    int64_t total = -1; // -1 for "bytes first-last/*"
};

// "bytes 100-999/1000" (a 206 answer) or "bytes */1000" (a 416 answer).
ContentRange parseContentRange(const QByteArray& value)
{
    ContentRange range;
    const QByteArray spec = value.trimmed();
    if (!spec.startsWith("bytes "))
        return range;
    const QList<QByteArray> parts = spec.mid(6).split('/');
    if (parts.size() != 2)
        return range;
    bool ok = false;
    const qint64 total = parts[1].toLongLong(&ok);
    range.total = ok && total >= 0 ? total : -1;
    const qint64 first = parts[0].split('-').value(0).toLongLong(&ok);
    range.first = ok && first >= 0 ? first : -1;
    return range;
}

QNetworkRequest makeRequest(const QUrl& url, int64_t offset)
{
    QNetworkRequest request(url);
    // Each hop is read by us: the checksum is announced on the redirect itself.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::UserAgentHeader, QByteArray("sft-studio/" SFT_VERSION));
    // A compressed answer would make byte offsets and sizes meaningless for Range.
    request.setRawHeader("Accept-Encoding", "identity");
    if (offset > 0)
        request.setRawHeader("Range", "bytes=" + QByteArray::number(qint64(offset)) + "-");
    return request;
}

std::string statusMessage(int status, const QByteArray& reason, const std::string& where)
{
    const std::string answer = where + " answered HTTP " + std::to_string(status) +
                               (reason.isEmpty() ? "" : " " + reason.toStdString());
    if (status == 404)
        return answer + ": the file is not there; check the model name and that --endpoint (or SFT_HF_ENDPOINT) "
                        "points at a Hugging Face hub or mirror";
    if (status == 401 || status == 403)
        return answer + ": access is refused; use an endpoint that serves this model without a login";
    if (status == 429 || status >= 500)
        return answer + ": the server is busy or failing; run the download again later (it resumes) or use "
                        "another --endpoint";
    return answer + "; check --endpoint";
}

// One attempt at the file: follows redirects from the URL and streams a 200 or 206 answer into
// the .part file. Whatever the hops announce about the file is kept.
class Fetch {
public:
    Fetch(PartFile& part, const DownloadTimeouts& timeouts, const DownloadProgressFn& onProgress,
          const JobControl* job)
        : part_(part), timeouts_(timeouts), onProgress_(onProgress), loop_(job)
    {
    }

    // Returns the final status: 200 or 206 (body received), or 416 (nothing past the .part).
    int run(const QUrl& url);
    AnnouncedChecksum checksum() const { return linkedChecksum_.announced() ? linkedChecksum_ : endpointChecksum_; }
    int64_t total() const { return total_; }
    int64_t resumedFrom() const { return resumedFrom_; }

private:
    void exchange(const QUrl& url, bool onEndpoint);
    void onHeaders(bool onEndpoint);
    void readAnnouncements(bool onEndpoint);
    void startBody();
    void onBody();
    void report(bool force);
    void throwIfStopped() const;
    void throwIfBroken() const;
    QUrl redirectTarget() const;
    std::string where() const;

    PartFile& part_;
    const DownloadTimeouts timeouts_;
    const DownloadProgressFn& onProgress_;

    QNetworkAccessManager manager_;
    std::unique_ptr<QNetworkReply> reply_;
    QUrl start_;
    QUrl url_;
    int status_ = 0;
    ReplyLoop loop_;
    QElapsedTimer transferClock_;
    QElapsedTimer sinceReport_;

    AnnouncedChecksum linkedChecksum_;   // X-Linked-Etag, on any hop
    AnnouncedChecksum endpointChecksum_; // ETag, only from the endpoint itself: a CDN's ETag is its own
    int64_t linkedSize_ = -1;
    int64_t total_ = -1;
    int64_t resumedFrom_ = 0;
    int64_t received_ = 0;
};

int Fetch::run(const QUrl& start)
{
    linkedChecksum_ = endpointChecksum_ = {};
    linkedSize_ = total_ = -1;
    resumedFrom_ = received_ = 0;
    start_ = start;
    std::set<QString> visited;
    QUrl url = start;
    for (int hop = 0; hop <= kMaxRedirects; ++hop) {
        if (!visited.insert(url.toString()).second)
            throw DownloadError(DownloadError::Kind::BadRedirect,
                                "redirect loop: following the redirects of " + shown(start) + " leads back to " +
                                    shown(url) + "; the server behind --endpoint is misconfigured");
        exchange(url, sameOrigin(url, start));
        if (status_ == 200 || status_ == 206 || status_ == 416)
            return status_;
        if (!isRedirect(status_)) {
            const QByteArray reason = reply_->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toByteArray();
            throw DownloadError(DownloadError::Kind::HttpStatus, statusMessage(status_, reason, where()), status_);
        }
        url = redirectTarget();
    }
    throw DownloadError(DownloadError::Kind::BadRedirect, "more than " + std::to_string(kMaxRedirects) +
                                                              " redirects following " + shown(start) +
                                                              "; the server behind --endpoint is misconfigured");
}

// The address that failed, and the one the user knows it by when a redirect led there.
std::string Fetch::where() const
{
    return url_ == start_ ? shown(url_) : shown(url_) + " (redirected from " + shown(start_) + ")";
}

QUrl Fetch::redirectTarget() const
{
    const QByteArray location = reply_->rawHeader("Location");
    const QUrl target = url_.resolved(QUrl::fromEncoded(location));
    if (location.isEmpty() || !target.isValid() || (target.scheme() != "https" && target.scheme() != "http"))
        throw DownloadError(DownloadError::Kind::BadRedirect,
                            shown(url_) + " redirects to '" + location.toStdString() +
                                "', which is not an http(s) address; the server behind --endpoint is misconfigured");
    return target;
}

void Fetch::exchange(const QUrl& url, bool onEndpoint)
{
    url_ = url;
    status_ = 0;
    reply_.reset(manager_.get(makeRequest(url, part_.size())));
    QObject::connect(reply_.get(), &QNetworkReply::metaDataChanged,
                     [this, onEndpoint] { loop_.guarded([this, onEndpoint] { onHeaders(onEndpoint); }); });
    QObject::connect(reply_.get(), &QNetworkReply::readyRead, [this] { loop_.guarded([this] { onBody(); }); });
    loop_.run(reply_.get(), [this] { return status_ ? timeouts_.stallMs : timeouts_.connectMs; });
    throwIfStopped();
    loop_.guarded([this, onEndpoint] {
        onHeaders(onEndpoint);
        onBody();
    });
    throwIfStopped();
    throwIfBroken();
    report(true);
}

void Fetch::onHeaders(bool onEndpoint)
{
    const QVariant status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (status_ || !status.isValid())
        return;
    status_ = status.toInt();
    loop_.restartClock();
    readAnnouncements(onEndpoint);
    if (status_ == 200 || status_ == 206)
        startBody();
    if (status_ == 416) {
        const int64_t total = parseContentRange(reply_->rawHeader("Content-Range")).total;
        total_ = total >= 0 ? total : linkedSize_;
        resumedFrom_ = part_.size();
    }
}

void Fetch::readAnnouncements(bool onEndpoint)
{
    if (!linkedChecksum_.announced())
        linkedChecksum_ = parseEtag(reply_->rawHeader("X-Linked-Etag"));
    if (onEndpoint && !endpointChecksum_.announced())
        endpointChecksum_ = parseEtag(reply_->rawHeader("ETag"));
    bool ok = false;
    const qint64 size = reply_->rawHeader("X-Linked-Size").toLongLong(&ok);
    if (ok && size >= 0 && linkedSize_ < 0)
        linkedSize_ = size;
}

void Fetch::startBody()
{
    if (status_ == 200) {
        // The server ignored the Range request (or none was sent): the body is the whole file.
        part_.restart();
        bool ok = false;
        const qint64 length = reply_->rawHeader("Content-Length").toLongLong(&ok);
        total_ = ok ? length : -1;
    } else {
        const ContentRange range = parseContentRange(reply_->rawHeader("Content-Range"));
        if (range.first != part_.size()) {
            part_.restart();
            throw DownloadError(DownloadError::Kind::Interrupted,
                                where() + " sent a different part of the file than was asked for; the partial "
                                              "download was discarded, run the download again to start it afresh");
        }
        total_ = range.total;
    }
    if (total_ < 0)
        total_ = linkedSize_;
    resumedFrom_ = part_.size();
    received_ = 0;
    transferClock_.start();
    sinceReport_.start();
    if (total_ >= 0)
        part_.requireFreeSpace(total_ - resumedFrom_);
    report(true); // before the first byte lands in the .part, so a watcher knows which file is open
}

void Fetch::onBody()
{
    const QByteArray bytes = reply_->readAll();
    if (bytes.isEmpty())
        return;
    loop_.restartClock();
    if (status_ != 200 && status_ != 206)
        return;
    part_.append(bytes);
    received_ += bytes.size();
    report(false);
}

void Fetch::report(bool force)
{
    if (!onProgress_ || (status_ != 200 && status_ != 206))
        return;
    if (!force && sinceReport_.elapsed() < kProgressEveryMs)
        return;
    sinceReport_.restart();
    const double seconds = transferClock_.elapsed() / 1000.0;
    DownloadProgress progress;
    progress.bytes = resumedFrom_ + received_;
    progress.total = total_;
    progress.resumedFrom = resumedFrom_;
    progress.bytesPerSecond = seconds > 0 ? double(received_) / seconds : 0.0;
    onProgress_(progress);
}

void Fetch::throwIfStopped() const
{
    loop_.rethrowFailure();
    if (loop_.cancelled())
        throw Cancelled();
    if (loop_.timedOut() && !status_)
        throw DownloadError(DownloadError::Kind::Timeout,
                            "no answer from " + where() + " within " + secondsText(timeouts_.connectMs) +
                                "; check the network connection and --endpoint, then run the download again");
    if (loop_.timedOut())
        throw DownloadError(DownloadError::Kind::Timeout,
                            where() + " stopped sending for " + secondsText(timeouts_.stallMs) + " after " +
                                std::to_string(resumedFrom_ + received_) +
                                " bytes; run the download again to resume from there");
}

void Fetch::throwIfBroken() const
{
    const QNetworkReply::NetworkError error = reply_->error();
    if (!transportError(error))
        return;
    const std::string why = reply_->errorString().toStdString();
    // Qt reports bytes that are not HTTP the same as a connection closed before any byte.
    if (!status_ && (error == QNetworkReply::RemoteHostClosedError || error == QNetworkReply::ProtocolFailure))
        throw DownloadError(DownloadError::Kind::Unreachable,
                            where() + " closed the connection without an HTTP answer (" + why +
                                "); check that --endpoint (or SFT_HF_ENDPOINT) names a model hub");
    if (!status_)
        throw DownloadError(DownloadError::Kind::Unreachable,
                            "cannot reach " + where() + " (" + why +
                                "); check the network connection and --endpoint (or SFT_HF_ENDPOINT)");
    throw DownloadError(DownloadError::Kind::Interrupted,
                        "the connection to " + where() + " broke after " + std::to_string(resumedFrom_ + received_) +
                            " bytes (" + why + "); run the download again to resume from there");
}

void verify(PartFile& part, const AnnouncedChecksum& announced, const QUrl& url, const DownloadProgressFn& onProgress,
            const JobControl* job)
{
    if (!announced.announced())
        return;
    QElapsedTimer clock;
    clock.start();
    const auto onBytes = [&](int64_t done, int64_t total) {
        if (!onProgress)
            return;
        DownloadProgress progress;
        progress.phase = DownloadProgress::Phase::Verifying;
        progress.bytes = done;
        progress.total = total;
        progress.bytesPerSecond = clock.elapsed() > 0 ? done / (clock.elapsed() / 1000.0) : 0.0;
        onProgress(progress);
    };
    const std::string actual = checksumOfFile(part.path(), announced.kind, onBytes, job);
    if (actual == announced.hex)
        return;
    part.remove();
    throw DownloadError(DownloadError::Kind::ChecksumMismatch,
                        "the file from " + shown(url) + " does not match the " + checksumName(announced.kind) +
                            " the server announced (announced " + announced.hex + ", received " + actual +
                            "); the bad download was deleted. Run it again; if this repeats, the server or mirror "
                            "sends a file other than the one it announces");
}

} // namespace

DownloadOutcome downloadFile(const QUrl& url, const std::string& destination, const DownloadTimeouts& timeouts,
                             const DownloadProgressFn& onProgress, const JobControl* job)
{
    makeDirectories(QFileInfo(QString::fromStdString(destination)).absolutePath().toStdString());
    PartFile part(destination);
    Fetch fetch(part, timeouts, onProgress, job);
    // A 416 means the .part reaches the end of the file; unless it is exactly the file's length
    // it is no prefix of this file, and the file is fetched afresh.
    if (fetch.run(url) == 416 && fetch.total() >= 0 && part.size() != fetch.total()) {
        part.restart();
        fetch.run(url);
    }
    if (fetch.total() >= 0 && part.size() != fetch.total())
        throw DownloadError(DownloadError::Kind::Interrupted,
                            shown(url) + " ended the file after " + std::to_string(part.size()) + " of " +
                                std::to_string(fetch.total()) + " bytes; run the download again to resume");
    part.close();
    verify(part, fetch.checksum(), url, onProgress, job);
    const DownloadOutcome outcome{part.size(), fetch.resumedFrom(), fetch.checksum()};
    part.publish(destination);
    return outcome;
}

} // namespace sft
