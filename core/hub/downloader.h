#pragma once
// One file over HTTP(S), the way the Hugging Face hub serves it: redirects followed across
// hosts (weights live on a CDN), the announced checksum read from every hop and verified, an
// interrupted transfer resumed with a Range request. Bytes go to <destination>.part and the
// final name appears only once the file is whole and verified, so a half-downloaded file is
// never taken for a model. Runs on the one blocking HTTP exchange of core/net: usable from the
// CLI and a worker thread.

#include "core/hub/announced_checksum.h"
#include "core/util/job_control.h"

#include <cstdint>
#include <functional>
#include <string>

namespace sft {

struct DownloadTimeouts {
    int connectMs = 30'000; // from sending a request to the start of its answer
    int stallMs = 60'000;   // without a new byte while the answer flows
};

struct DownloadProgress {
    enum class Phase { Receiving, Verifying };
    Phase phase = Phase::Receiving;
    int64_t bytes = 0;         // of the whole file, counting what a resumed .part held
    int64_t total = -1;        // -1 while the server has not said
    int64_t resumedFrom = 0;   // bytes kept from an earlier attempt
    double bytesPerSecond = 0; // of this attempt's transfer (or of the checksum pass)
};
using DownloadProgressFn = std::function<void(const DownloadProgress&)>;

struct DownloadOutcome {
    int64_t bytes = 0;
    int64_t resumedFrom = 0;
    AnnouncedChecksum checksum; // Kind::None: the server announced nothing to verify against
};

// Throws DownloadError (naming the URL and what to do), IoError for the local disk, and
// Cancelled when the job is cancelled; the .part stays for the next attempt unless its bytes
// were refused.
DownloadOutcome downloadFile(const std::string& url, const std::string& destination, const DownloadTimeouts& timeouts,
                             const DownloadProgressFn& onProgress, const JobControl* job);

} // namespace sft
