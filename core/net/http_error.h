#pragma once
// Why an HTTP exchange failed, in the terms that decide what happens next: ask again (a busy or
// flaky server), stop and keep what is done (the server is gone), or stop and tell the user
// what to change (a refused request, something the server does not have).

#include "core/util/error.h"

namespace sft {

class HttpError : public Error {
public:
    enum class Kind {
        Unreachable, // no connection: server down, wrong URL
        Timeout,     // connected, but no answer in time
        Overloaded,  // 429 or 5xx: busy, out of memory, runner crashed
        Broken,      // the answer was cut off, malformed, or ended with an error line
        Refused,     // 4xx: the request itself is wrong (bad option, bad key)
        NotFound,    // 404 for what was asked (a judge's model)
    };

    // How far the exchange got before it failed: callers with their own words for a transfer
    // (the downloader) tell "no answer" from "stopped in the middle".
    enum class Stage { Connecting, Waiting, Receiving };

    HttpError(Kind kind, const std::string& message, int httpStatus = 0)
        : Error(message), kind_(kind), httpStatus_(httpStatus)
    {
    }
    HttpError(Kind kind, const std::string& message, Stage stage, const std::string& cause)
        : Error(message), kind_(kind), httpStatus_(0), stage_(stage), cause_(cause)
    {
    }

    Kind kind() const { return kind_; }
    int httpStatus() const { return httpStatus_; }
    Stage stage() const { return stage_; }
    // The network's own words for a failed connection; empty for a time limit.
    const std::string& cause() const { return cause_; }
    // Asking the same thing again may work.
    bool retryable() const { return kind_ != Kind::Refused && kind_ != Kind::NotFound; }
    // The server itself is gone: later requests would fail the same way, so a run stops.
    bool serverGone() const { return kind_ == Kind::Unreachable || kind_ == Kind::Timeout; }

private:
    Kind kind_;
    int httpStatus_;
    Stage stage_ = Stage::Receiving;
    std::string cause_;
};

} // namespace sft
