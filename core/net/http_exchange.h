#pragma once
// One HTTP request run to its end in a local event loop, so the same code works from the CLI,
// the GUI thread and a worker thread that has no event loop running. The body is handed over as
// it arrives, for streamed answers and for files written to disk as they come. The judge
// clients and the model downloader both talk HTTP through this one call.

#include "core/util/job_control.h"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sft {

// A judge may load a model (minutes) before its first byte, then stream quickly.
struct HttpTimeouts {
    int connectMs = 10'000;
    int firstByteMs = 600'000; // from the request being sent to the first byte of the answer
    int idleMs = 120'000;      // between two reads once the answer is flowing
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::string jsonBody; // sent as application/json when not empty
    HttpHeaders headers;
    // Off: a redirect is the answer (its status and Location header), for a caller that reads
    // every hop. On, an Authorization header still goes nowhere but to the origin it was given for.
    bool followRedirects = true;
};

struct HttpResponse {
    int status = 0;
    std::string reason;
    HttpHeaders headers;

    // The value of the header `name` (case-insensitive), empty when absent.
    std::string header(std::string_view name) const;
    std::string contentType() const { return header("Content-Type"); }
};

using HeadersFn = std::function<void(const HttpResponse& response)>;
using BodyFn = std::function<void(const HttpResponse& response, std::string_view bytes)>;

// A time limit as messages name it: "0.5 s", "600 s".
std::string timeLimitText(int ms);

// Returns once the whole body was delivered to onBody; onHeaders (optional) sees the status
// and headers first. Throws HttpError (Unreachable, Timeout, Broken, with stage() saying how far
// the exchange got) when the exchange itself fails, Cancelled when the job is cancelled, and
// whatever the handlers throw. An HTTP error status is not an exception: the caller reads its body.
HttpResponse httpExchange(const HttpRequest& request, const HttpTimeouts& timeouts, const BodyFn& onBody,
                          const JobControl* job, const HeadersFn& onHeaders = {});

} // namespace sft
