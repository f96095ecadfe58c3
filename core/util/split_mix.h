#pragma once
// SplitMix64: a well-mixed 64-bit value of its input, so draws keyed by neighbouring seeds and
// entry numbers come out independent (what a rerun must draw again, without a stored generator).

#include <cstdint>

namespace sft {

inline uint64_t splitMix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

} // namespace sft
