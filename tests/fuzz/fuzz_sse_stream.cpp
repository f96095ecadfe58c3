// Server-sent events on any bytes, fed in chunks whose size the first byte picks (1..64), as
// network reads split a body anywhere: the events must be the same as when the whole body comes
// in one read. Nothing may be thrown.

#include "core/net/sse_stream.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

std::vector<std::string> read(std::string_view body, size_t chunk)
{
    sft::SseStream stream;
    std::vector<std::string> events;
    for (size_t at = 0; at < body.size(); at += chunk) {
        const std::vector<std::string> more = stream.feed(body.substr(at, chunk));
        events.insert(events.end(), more.begin(), more.end());
    }
    return events;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t chunk = data[0] % 64 + 1;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    sft::fuzz::check(read(body, chunk) == read(body, std::max<size_t>(body.size(), 1)),
                     "the same events in chunks as whole");
    return 0;
}
