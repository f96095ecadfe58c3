#pragma once
// Why a call to the judge failed. The kind decides what happens next: ask again (a busy or
// flaky server), stop the run and keep what is scored (the server is gone), or stop and tell
// the user what to change (a missing model, a refused request).

#include "core/util/error.h"

namespace sft {

class JudgeError : public Error {
public:
    enum class Kind {
        Unreachable,  // no connection: server down, wrong URL
        Timeout,      // connected, but no answer in time
        Overloaded,   // 429 or 5xx: busy, out of memory, runner crashed
        Broken,       // the answer was cut off, malformed, or ended with an error line
        Refused,      // 4xx: the request itself is wrong (bad option, bad key)
        ModelMissing, // 404 for the judge model
    };

    JudgeError(Kind kind, const std::string& message, int httpStatus = 0)
        : Error(message), kind_(kind), httpStatus_(httpStatus)
    {
    }

    Kind kind() const { return kind_; }
    int httpStatus() const { return httpStatus_; }
    // Asking the same thing again may work.
    bool retryable() const { return kind_ != Kind::Refused && kind_ != Kind::ModelMissing; }
    // The server itself is gone: later entries would fail the same way, so the run stops.
    bool serverGone() const { return kind_ == Kind::Unreachable || kind_ == Kind::Timeout; }

private:
    Kind kind_;
    int httpStatus_;
};

} // namespace sft
