// The safetensors reader on any bytes: a WeightsError or tensors that fill exactly the spans
// their header gives, never a crash or another exception.

#include "core/io/safetensors.h"
#include "core/util/error.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    try {
        const sft::SafetensorsFile file = sft::parseSafetensors(bytes, "fuzz.safetensors");
        for (const auto& [name, tensor] : file.tensors)
            sft::fuzz::check(uint64_t(tensor.numel()) * tensor.element_size() <= size,
                             "a tensor holds no more bytes than the file");
    } catch (const sft::WeightsError&) {
    }
    return 0;
}
