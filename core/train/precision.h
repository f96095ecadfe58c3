#pragma once
// Mixed precision for training: bf16 autocast with fp32 master weights. "auto" takes bf16 only
// where it is computed natively (a CPU with avx512_bf16 or AMX, or CUDA); elsewhere bf16
// matrix products are emulated and slower than fp32.

#include <string>

namespace sft {

enum class Precision { Fp32, Bf16 };

// setting: auto | fp32 | bf16 (ConfigError otherwise).
Precision resolvePrecision(const std::string& setting, bool cuda);
const char* precisionName(Precision precision);

// Whether the "flags" line of /proc/cpuinfo text names avx512_bf16 or amx_bf16.
bool cpuInfoHasNativeBf16(const std::string& cpuinfo);
bool cpuHasNativeBf16();

// bf16 autocast on this thread while alive (nothing for fp32), as Python's torch.autocast:
// nested scopes share one cast cache, cleared when the outermost one ends.
class AutocastScope {
public:
    AutocastScope(Precision precision, bool cuda);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool active_;
    bool cuda_;
    bool wasEnabled_ = false;
};

} // namespace sft
