// Ollama's NDJSON framing on any bytes, fed in chunks whose size the first byte picks (1..64), as
// network reads split a body anywhere: the FormatError, if any, and otherwise the objects must be
// the same as when the whole body comes in one read. Nothing else may be thrown.

#include "core/net/ndjson_stream.h"
#include "core/util/error.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Outcome {
    std::vector<nlohmann::json> objects;
    std::string error;
};

void take(std::vector<nlohmann::json>&& more, Outcome& out)
{
    out.objects.insert(out.objects.end(), more.begin(), more.end());
}

Outcome read(std::string_view body, size_t chunk)
{
    sft::NdjsonStream stream;
    Outcome out;
    try {
        for (size_t at = 0; at < body.size(); at += chunk)
            take(stream.feed(body.substr(at, chunk)), out);
        take(stream.finish(), out);
    } catch (const sft::FormatError& e) {
        out.error = e.what();
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const size_t chunk = data[0] % 64 + 1;
    const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
    const Outcome chunked = read(body, chunk);
    const Outcome whole = read(body, std::max<size_t>(body.size(), 1));
    sft::fuzz::check(chunked.error == whole.error, "the same error in chunks as whole");
    // A read that throws returns nothing, so after an error the objects read before it differ.
    if (whole.error.empty())
        sft::fuzz::check(chunked.objects == whole.objects, "the same objects in chunks as whole");
    return 0;
}
