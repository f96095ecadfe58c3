#pragma once
// Data parallelism's one exchange per step: every rank's gradients (its rows' part of the step's)
// summed over the ranks, so that each holds the whole step's and takes the same optimizer step.
// The gradients travel in flat fp32 buckets, few large messages instead of one per tensor, and
// the step's loss and rewards travel beside them.

#include "core/dist/process_group.h"

#include <cstdint>
#include <vector>

namespace sft {

class GradientSync {
public:
    // parameters: the trained ones, whose gradients are summed. bucketBytes: the most one
    // message carries (PyTorch DDP's default is 25 MB).
    GradientSync(ProcessGroup& group, std::vector<at::Tensor> parameters, int64_t bucketBytes = 25 << 20);
    ~GradientSync();

    // Sums the gradients and `scalars` over the ranks, in place (a missing gradient counts as zeros).
    void sum(std::vector<double>& scalars);
    double lastSeconds() const { return lastSeconds_; } // the last sum, copies included
    int64_t bytesPerStep() const;                        // what one rank sends into each sum

private:
    struct Bucket;
    ProcessGroup& group_;
    std::vector<Bucket> buckets_;
    double lastSeconds_ = 0;
};

} // namespace sft
