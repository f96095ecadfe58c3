#pragma once
// What a list of judge scores says: how many could be scored, their centre and spread, how
// sure the mean is (bootstrap interval), and their distribution. Unscored entries are counted
// as such, never as 0.

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace sft {

struct ScoreStats {
    size_t total = 0;
    size_t scored = 0;
    double mean = 0, stddev = 0, median = 0; // NaN when undefined (stddev needs two scores)
    double ciLow = 0, ciHigh = 0;            // 95% bootstrap interval of the mean
    std::array<size_t, 10> histogram{};      // 0-9, 10-19, ..., 80-89, 90-100
    // With several samples per entry: how much the judge disagrees with itself.
    size_t sampledEntries = 0;
    double meanSampleStddev = 0; // mean over entries of the stddev of their samples
    double maxSampleRange = 0;   // the widest max - min, at entry maxRangeIndex
    size_t maxRangeIndex = 0;

    nlohmann::json toJson() const;
};

struct BootstrapSettings {
    uint64_t seed = 123;
    int resamples = 10'000;
};

// `samples` (optional) holds each entry's individual scores when it was judged several times.
ScoreStats scoreStats(const std::vector<std::optional<double>>& scores,
                      const std::vector<std::vector<double>>& samples = {}, const BootstrapSettings& bootstrap = {});

// Linear interpolation between order statistics (the usual "type 7"); `sorted` ascending.
double quantile(const std::vector<double>& sorted, double q);

} // namespace sft
