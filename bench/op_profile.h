#pragma once
// Where a training step's time goes, by operator: the self time (time less that of the
// operators it called) of every ATen operator and autograd node run while a profile is
// recording, taken from RecordFunction, the hooks torch's profiler is built on.

#include <cstdint>
#include <string>
#include <vector>

namespace sft::bench {

struct OpTime {
    std::string name;
    double seconds = 0;
    int64_t calls = 0;
};

// One recording at a time; the operators' names and times gathered from every thread.
class OpProfile {
public:
    OpProfile();  // starts recording
    ~OpProfile(); // stops, if stop() was not called
    OpProfile(const OpProfile&) = delete;
    OpProfile& operator=(const OpProfile&) = delete;

    void stop();
    std::vector<OpTime> byName() const; // by self time, largest first
};

// The kind of work an operator does, for a step's breakdown: gemm, cast, attention (softmax,
// masking), layernorm, gelu, cross-entropy, embedding, optimizer, other.
std::string opCategory(const std::string& name);

// Sums by category, largest first.
std::vector<OpTime> byCategory(const std::vector<OpTime>& ops);

} // namespace sft::bench
