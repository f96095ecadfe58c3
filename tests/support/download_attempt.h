#pragma once
// What a download attempt threw, for tests that check the error a fault gives.

#include "core/hub/download_error.h"

#include <functional>
#include <optional>

namespace sft::test {

// The DownloadError `attempt` threw, or nothing when it finished.
inline std::optional<DownloadError> downloadError(const std::function<void()>& attempt)
{
    try {
        attempt();
    } catch (const DownloadError& e) {
        return e;
    }
    return std::nullopt;
}

} // namespace sft::test
