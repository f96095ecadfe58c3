#include "core/util/cpu_features.h"

namespace sft {

bool cpuHasAvx2Fma()
{
#if defined(__GNUC__) && defined(__x86_64__)
    static const bool has = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }();
    return has;
#else
    return false;
#endif
}

} // namespace sft
