#pragma once
// Weights used where they lie, in a file's pages mapped into memory (WeightUse::Inference and
// Evaluation), last only as long as the file does: a program that shortens the file in place
// (Hugging Face's save_file truncates it, then writes it again) makes the next read of a page
// past the new end raise SIGBUS, which would end this program. While a mapping is guarded, such a
// read gets a page of zeros in place of the lost one instead, and the loss is counted: work that
// read mapped weights compares the count before and after, and reports the file as changed
// rather than crashing or returning what the zeros computed.

#include <cstddef>
#include <cstdint>
#include <string>

namespace sft {

// Guards the mapping [begin, begin + bytes) of the file `path` from its construction to its
// destruction (before the mapping is unmapped). Up to 256 mappings at a time; past that, a
// mapping goes unguarded.
class MappingGuard {
public:
    MappingGuard(const void* begin, size_t bytes, const std::string& path);
    ~MappingGuard();
    MappingGuard(const MappingGuard&) = delete;
    MappingGuard& operator=(const MappingGuard&) = delete;

private:
    int slot_;
};

// Pages of guarded mappings lost to shortened files since the program started.
uint64_t lostMappedPages();
// Throws WeightsError naming the file when a guarded mapping lost a page after `before` (a
// lostMappedPages() value read when the work began).
void requireNoMappedPagesLostSince(uint64_t before);

} // namespace sft
