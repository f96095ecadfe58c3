// The dataset loader on any bytes: a DatasetError or a dataset, never a crash or another exception.
// Both policies run; a file that loads whole must load the same with BadEntries::Skip.

#include "core/data/dataset.h"
#include "core/util/error.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace {

std::optional<sft::Dataset> load(const std::string& bytes, sft::BadEntries policy)
{
    try {
        sft::Dataset dataset = sft::parseDataset(bytes, "fuzz.json", policy);
        sft::fuzz::check(!dataset.entries.empty(), "a loaded dataset has an entry");
        return dataset;
    } catch (const sft::DatasetError&) {
        return std::nullopt;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const std::optional<sft::Dataset> strict = load(bytes, sft::BadEntries::Refuse);
    const std::optional<sft::Dataset> lenient = load(bytes, sft::BadEntries::Skip);
    if (strict) {
        sft::fuzz::check(lenient && lenient->skipped.empty(), "a file that loads whole loads with Skip");
        sft::fuzz::check(lenient->entries.size() == strict->entries.size(), "Skip keeps every good entry");
    }
    return 0;
}
