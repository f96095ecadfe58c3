#pragma once
// Why fetching a file failed. The kind tells the caller what can help: a dropped or stalled
// transfer resumes from its partial file when run again; a missing file, a refused request or a
// refused checksum needs another source or endpoint.

#include "core/util/error.h"

namespace sft {

class DownloadError : public Error {
public:
    enum class Kind {
        Unreachable,      // no connection: offline, wrong endpoint, nothing listening
        Timeout,          // connected, but no answer or no new bytes in time; .part kept
        Interrupted,      // the connection broke in the middle of the file; .part kept
        HttpStatus,       // the server answered with an error status (404, 403, 5xx)
        BadRedirect,      // a redirect loop, too many redirects, or one without a target
        ChecksumMismatch, // the bytes differ from what the server announced; .part deleted
    };

    DownloadError(Kind kind, const std::string& message, int httpStatus = 0)
        : Error(message), kind_(kind), httpStatus_(httpStatus)
    {
    }

    Kind kind() const { return kind_; }
    int httpStatus() const { return httpStatus_; }
    // Running the same download again continues where this one stopped.
    bool resumable() const { return kind_ == Kind::Timeout || kind_ == Kind::Interrupted; }

private:
    Kind kind_;
    int httpStatus_;
};

} // namespace sft
