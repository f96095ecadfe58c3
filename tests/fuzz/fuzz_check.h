#pragma once
// A property a fuzz target checks: when it fails, the input is a finding, so the process aborts
// as a crash would, and libFuzzer keeps the input.

#include <cstdio>
#include <cstdlib>

namespace sft::fuzz {

inline void check(bool holds, const char* property)
{
    if (holds)
        return;
    std::fprintf(stderr, "fuzz: property broken: %s\n", property);
    std::abort();
}

} // namespace sft::fuzz
