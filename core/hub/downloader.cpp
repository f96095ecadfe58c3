#include "core/hub/downloader.h"

#include "core/hub/download_error.h"
#include "core/hub/part_file.h"
#include "core/net/http_error.h"
#include "core/net/http_exchange.h"
#include "core/net/url.h"
#include "core/util/files.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace sft {

namespace {

constexpr int kMaxRedirects = 10;
constexpr double kProgressEverySeconds = 0.1;

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// A number header; -1 when absent or not a count.
int64_t headerCount(const HttpResponse& response, std::string_view name)
{
    const std::string value = response.header(name);
    char* end = nullptr;
    const long long number = std::strtoll(value.c_str(), &end, 10);
    return !value.empty() && end && *end == '\0' && number >= 0 ? int64_t(number) : -1;
}

struct ContentRange {
    int64_t first = -1; // -1 for "bytes */total"
    int64_t total = -1; // -1 for "bytes first-last/*"
};

// "bytes 100-999/1000" (a 206 answer) or "bytes */1000" (a 416 answer).
ContentRange parseContentRange(const std::string& value)
{
    ContentRange range;
    long long first = -1, last = -1, total = -1;
    if (std::sscanf(value.c_str(), " bytes %lld-%lld/%lld", &first, &last, &total) >= 2) {
        range.first = first >= 0 ? first : -1;
        range.total = total >= 0 ? total : -1;
    } else if (std::sscanf(value.c_str(), " bytes */%lld", &total) == 1) {
        range.total = total >= 0 ? total : -1;
    }
    return range;
}

HttpRequest makeRequest(const std::string& url, int64_t offset)
{
    HttpRequest request;
    request.url = url;
    // Each hop is read by us: the checksum is announced on the redirect itself.
    request.followRedirects = false;
    request.headers = {{"User-Agent", "sft-studio/" SFT_VERSION},
                       // A compressed answer would make byte offsets and sizes meaningless for Range.
                       {"Accept-Encoding", "identity"}};
    if (offset > 0)
        request.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-");
    return request;
}

std::string statusMessage(int status, const std::string& reason, const std::string& where)
{
    const std::string answer = where + " answered HTTP " + std::to_string(status) + (reason.empty() ? "" : " " + reason);
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
        : part_(part), timeouts_(timeouts), onProgress_(onProgress), job_(job)
    {
    }

    // Returns the final status: 200 or 206 (body received), or 416 (nothing past the .part).
    int run(const std::string& url);
    AnnouncedChecksum checksum() const { return linkedChecksum_.announced() ? linkedChecksum_ : endpointChecksum_; }
    int64_t total() const { return total_; }
    int64_t resumedFrom() const { return resumedFrom_; }

private:
    HttpResponse exchange(const std::string& url, bool onEndpoint);
    void onHeaders(const HttpResponse& response, bool onEndpoint);
    void readAnnouncements(const HttpResponse& response, bool onEndpoint);
    void startBody(const HttpResponse& response);
    void onBody(std::string_view bytes);
    void report(bool force);
    DownloadError transferFailure(const HttpError& error) const;
    std::string redirectTarget(const HttpResponse& response) const;
    std::string where() const;

    PartFile& part_;
    const DownloadTimeouts timeouts_;
    const DownloadProgressFn& onProgress_;
    const JobControl* job_;

    std::string start_;
    std::string url_;
    int status_ = 0;
    Clock::time_point transferStart_;
    Clock::time_point lastReport_;

    AnnouncedChecksum linkedChecksum_;   // X-Linked-Etag, on any hop
    AnnouncedChecksum endpointChecksum_; // ETag, only from the endpoint itself: a CDN's ETag is its own
    int64_t linkedSize_ = -1;
    int64_t total_ = -1;
    int64_t resumedFrom_ = 0;
    int64_t received_ = 0;
};

int Fetch::run(const std::string& start)
{
    linkedChecksum_ = endpointChecksum_ = {};
    linkedSize_ = total_ = -1;
    resumedFrom_ = received_ = 0;
    start_ = start;
    std::set<std::string> visited;
    std::string url = start;
    for (int hop = 0; hop <= kMaxRedirects; ++hop) {
        if (!visited.insert(shownUrl(url, true)).second)
            throw DownloadError(DownloadError::Kind::BadRedirect,
                                "redirect loop: following the redirects of " + shownUrl(start) + " leads back to " +
                                    shownUrl(url) + "; the server behind --endpoint is misconfigured");
        const HttpResponse response = exchange(url, sameOrigin(url, start));
        if (status_ == 200 || status_ == 206 || status_ == 416)
            return status_;
        if (!isRedirect(status_))
            throw DownloadError(DownloadError::Kind::HttpStatus, statusMessage(status_, response.reason, where()),
                                status_);
        url = redirectTarget(response);
    }
    throw DownloadError(DownloadError::Kind::BadRedirect, "more than " + std::to_string(kMaxRedirects) +
                                                              " redirects following " + shownUrl(start) +
                                                              "; the server behind --endpoint is misconfigured");
}

// The address that failed, and the one the user knows it by when a redirect led there.
std::string Fetch::where() const
{
    return url_ == start_ ? shownUrl(url_) : shownUrl(url_) + " (redirected from " + shownUrl(start_) + ")";
}

std::string Fetch::redirectTarget(const HttpResponse& response) const
{
    const std::string location = response.header("Location");
    const std::string target = resolveUrl(url_, location);
    if (!isHttpUrl(target))
        throw DownloadError(DownloadError::Kind::BadRedirect,
                            shownUrl(url_) + " redirects to '" + location +
                                "', which is not an http(s) address; the server behind --endpoint is misconfigured");
    return target;
}

HttpResponse Fetch::exchange(const std::string& url, bool onEndpoint)
{
    url_ = url;
    status_ = 0;
    // Until the answer starts, one limit covers connecting and waiting, as the user set it.
    const HttpTimeouts limits{timeouts_.connectMs, timeouts_.connectMs, timeouts_.stallMs};
    try {
        const HttpResponse response = httpExchange(
            makeRequest(url, part_.size()), limits, [this](const HttpResponse&, std::string_view bytes) { onBody(bytes); },
            job_, [this, onEndpoint](const HttpResponse& r) { onHeaders(r, onEndpoint); });
        report(true);
        return response;
    } catch (const HttpError& e) {
        throw transferFailure(e);
    }
}

void Fetch::onHeaders(const HttpResponse& response, bool onEndpoint)
{
    status_ = response.status;
    readAnnouncements(response, onEndpoint);
    if (status_ == 200 || status_ == 206)
        startBody(response);
    if (status_ == 416) {
        const int64_t total = parseContentRange(response.header("Content-Range")).total;
        total_ = total >= 0 ? total : linkedSize_;
        resumedFrom_ = part_.size();
    }
}

void Fetch::readAnnouncements(const HttpResponse& response, bool onEndpoint)
{
    if (!linkedChecksum_.announced())
        linkedChecksum_ = parseEtag(response.header("X-Linked-Etag"));
    if (onEndpoint && !endpointChecksum_.announced())
        endpointChecksum_ = parseEtag(response.header("ETag"));
    if (linkedSize_ < 0)
        linkedSize_ = headerCount(response, "X-Linked-Size");
}

void Fetch::startBody(const HttpResponse& response)
{
    if (status_ == 200) {
        // The server ignored the Range request (or none was sent): the body is the whole file.
        part_.restart();
        total_ = headerCount(response, "Content-Length");
    } else {
        const ContentRange range = parseContentRange(response.header("Content-Range"));
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
    transferStart_ = lastReport_ = Clock::now();
    if (total_ >= 0)
        part_.requireFreeSpace(total_ - resumedFrom_);
    report(true); // before the first byte lands in the .part, so a watcher knows which file is open
}

void Fetch::onBody(std::string_view bytes)
{
    if (status_ != 200 && status_ != 206)
        return;
    part_.append(bytes);
    received_ += int64_t(bytes.size());
    report(false);
}

void Fetch::report(bool force)
{
    if (!onProgress_ || (status_ != 200 && status_ != 206))
        return;
    if (!force && secondsSince(lastReport_) < kProgressEverySeconds)
        return;
    lastReport_ = Clock::now();
    const double seconds = secondsSince(transferStart_);
    DownloadProgress progress;
    progress.bytes = resumedFrom_ + received_;
    progress.total = total_;
    progress.resumedFrom = resumedFrom_;
    progress.bytesPerSecond = seconds > 0 ? double(received_) / seconds : 0.0;
    onProgress_(progress);
}

// The exchange's failure in a download's terms: what was kept, and what running it again does.
DownloadError Fetch::transferFailure(const HttpError& error) const
{
    const bool receiving = error.stage() == HttpError::Stage::Receiving;
    const std::string kept = std::to_string(resumedFrom_ + received_) + " bytes";
    if (error.cause().empty() && receiving)
        return DownloadError(DownloadError::Kind::Timeout, where() + " stopped sending for " +
                                                               timeLimitText(timeouts_.stallMs) + " after " + kept +
                                                               "; run the download again to resume from there");
    if (error.cause().empty())
        return DownloadError(DownloadError::Kind::Timeout,
                             "no answer from " + where() + " within " + timeLimitText(timeouts_.connectMs) +
                                 "; check the network connection and --endpoint, then run the download again");
    if (receiving)
        return DownloadError(DownloadError::Kind::Interrupted, "the connection to " + where() + " broke after " +
                                                                   kept + " (" + error.cause() +
                                                                   "); run the download again to resume from there");
    // Qt reports bytes that are not HTTP the same as a connection closed before any byte.
    if (error.kind() == HttpError::Kind::Broken)
        return DownloadError(DownloadError::Kind::Unreachable,
                             where() + " closed the connection without an HTTP answer (" + error.cause() +
                                 "); check that --endpoint (or SFT_HF_ENDPOINT) names a model hub");
    return DownloadError(DownloadError::Kind::Unreachable,
                         "cannot reach " + where() + " (" + error.cause() +
                             "); check the network connection and --endpoint (or SFT_HF_ENDPOINT)");
}

void verify(PartFile& part, const AnnouncedChecksum& announced, const std::string& url,
            const DownloadProgressFn& onProgress, const JobControl* job)
{
    if (!announced.announced())
        return;
    const Clock::time_point start = Clock::now();
    const auto onBytes = [&](int64_t done, int64_t total) {
        if (!onProgress)
            return;
        DownloadProgress progress;
        progress.phase = DownloadProgress::Phase::Verifying;
        progress.bytes = done;
        progress.total = total;
        const double seconds = secondsSince(start);
        progress.bytesPerSecond = seconds > 0 ? double(done) / seconds : 0.0;
        onProgress(progress);
    };
    const std::string actual = checksumOfFile(part.path(), announced.kind, onBytes, job);
    if (actual == announced.hex)
        return;
    part.remove();
    throw DownloadError(DownloadError::Kind::ChecksumMismatch,
                        "the file from " + shownUrl(url) + " does not match the " + checksumName(announced.kind) +
                            " the server announced (announced " + announced.hex + ", received " + actual +
                            "); the bad download was deleted. Run it again; if this repeats, the server or mirror "
                            "sends a file other than the one it announces");
}

} // namespace

DownloadOutcome downloadFile(const std::string& url, const std::string& destination, const DownloadTimeouts& timeouts,
                             const DownloadProgressFn& onProgress, const JobControl* job)
{
    makeDirectories(std::filesystem::absolute(destination).parent_path().string());
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
                            shownUrl(url) + " ended the file after " + std::to_string(part.size()) + " of " +
                                std::to_string(fetch.total()) + " bytes; run the download again to resume");
    part.close();
    verify(part, fetch.checksum(), url, onProgress, job);
    const DownloadOutcome outcome{part.size(), fetch.resumedFrom(), fetch.checksum()};
    part.publish(destination);
    return outcome;
}

} // namespace sft
