#include "core/data/length_histogram.h"

#include <algorithm>

namespace sft {

namespace {

// The smallest of 1, 2, 5, 10, 20, 50, ... that covers [first, last] in at most maxBins bins
// starting at a multiple of itself.
int64_t roundBinWidth(int64_t first, int64_t last, int maxBins)
{
    for (int64_t scale = 1;; scale *= 10)
        for (const int64_t step : {1, 2, 5}) {
            const int64_t width = step * scale;
            if (last / width - first / width + 1 <= maxBins)
                return width;
        }
}

} // namespace

LengthHistogram lengthHistogram(const std::vector<int64_t>& lengths, int maxBins)
{
    LengthHistogram h;
    if (lengths.empty())
        return h;
    const auto [low, high] = std::minmax_element(lengths.begin(), lengths.end());
    h.shortest = *low;
    h.longest = *high;
    h.total = int64_t(lengths.size());
    h.binWidth = roundBinWidth(h.shortest, h.longest, std::max(maxBins, 1));
    h.firstBinStart = h.shortest / h.binWidth * h.binWidth;
    h.counts.assign(size_t(h.longest / h.binWidth - h.shortest / h.binWidth + 1), 0);
    for (const int64_t length : lengths)
        ++h.counts[size_t((length - h.firstBinStart) / h.binWidth)];
    return h;
}

int64_t countLongerThan(const std::vector<int64_t>& lengths, int64_t maxLength)
{
    return std::count_if(lengths.begin(), lengths.end(), [&](int64_t n) { return n > maxLength; });
}

} // namespace sft
