#pragma once
// One HTTP request run to its end in a local event loop, so the same code works from the CLI,
// the GUI thread and a worker thread that has no event loop running. The body is handed over as
// it arrives, for streamed answers.

#include "core/util/job_control.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QUrl>

#include <functional>

namespace sft {

// A judge may load a model (minutes) before its first byte, then stream quickly.
struct HttpTimeouts {
    int connectMs = 10'000;
    int firstByteMs = 600'000; // from the request being sent to the first byte of the answer
    int idleMs = 120'000;      // between two reads once the answer is flowing
};

struct HttpRequest {
    QByteArray method = "GET";
    QUrl url;
    QByteArray jsonBody; // sent as application/json when not empty
    QList<QPair<QByteArray, QByteArray>> headers;
};

struct HttpResponse {
    int status = 0;
    QByteArray contentType;
};

using BodyFn = std::function<void(const HttpResponse& response, const QByteArray& bytes)>;

// Returns once the whole body was delivered to onBody. Throws HttpError (Unreachable, Timeout,
// Broken) when the exchange itself fails, Cancelled when the job is cancelled, and whatever
// onBody throws. An HTTP error status is not an exception: the caller reads its body.
HttpResponse httpExchange(const HttpRequest& request, const HttpTimeouts& timeouts, const BodyFn& onBody,
                          const JobControl* job);

} // namespace sft
