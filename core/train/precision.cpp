#include "core/train/precision.h"

#include "core/util/error.h"

#include <ATen/autocast_mode.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace sft {

Precision resolvePrecision(const std::string& setting, bool cuda)
{
    if (setting == "fp32")
        return Precision::Fp32;
    if (setting == "bf16")
        return Precision::Bf16;
    if (setting == "auto")
        return cuda || cpuHasNativeBf16() ? Precision::Bf16 : Precision::Fp32;
    throw ConfigError("precision must be auto, fp32 or bf16, not '" + setting + "'");
}

const char* precisionName(Precision precision) { return precision == Precision::Bf16 ? "bf16" : "fp32"; }

bool cpuInfoHasNativeBf16(const std::string& cpuinfo)
{
    std::istringstream lines(cpuinfo);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("flags", 0) != 0)
            continue;
        std::istringstream words(line);
        for (std::string word; words >> word;)
            if (word == "avx512_bf16" || word == "amx_bf16")
                return true;
    }
    return false;
}

bool cpuHasNativeBf16()
{
    std::ifstream file("/proc/cpuinfo");
    return cpuInfoHasNativeBf16(std::string(std::istreambuf_iterator<char>(file), {}));
}

AutocastScope::AutocastScope(Precision precision, bool cuda) : active_(precision == Precision::Bf16), cuda_(cuda)
{
    if (!active_)
        return;
    if (cuda_) {
        wasEnabled_ = at::autocast::is_enabled();
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    } else {
        wasEnabled_ = at::autocast::is_cpu_enabled();
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
    }
    at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope()
{
    if (!active_)
        return;
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
    if (cuda_)
        at::autocast::set_enabled(wasEnabled_);
    else
        at::autocast::set_cpu_enabled(wasEnabled_);
}

} // namespace sft
