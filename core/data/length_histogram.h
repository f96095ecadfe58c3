#pragma once
// How long the examples are in tokens, binned for a chart, and how many a max length cuts.

#include <cstdint>
#include <vector>

namespace sft {

struct LengthHistogram {
    int64_t binWidth = 1;         // 1, 2 or 5 times a power of ten
    int64_t firstBinStart = 0;    // a multiple of binWidth
    std::vector<int64_t> counts;  // bin i covers [firstBinStart + i*binWidth, + binWidth)
    int64_t shortest = 0;
    int64_t longest = 0;
    int64_t total = 0;
};

// At most `maxBins` bins (at least 1) of a round width covering every length.
LengthHistogram lengthHistogram(const std::vector<int64_t>& lengths, int maxBins = 40);

// Examples a max length truncates: those with more tokens than it.
int64_t countLongerThan(const std::vector<int64_t>& lengths, int64_t maxLength);

} // namespace sft
