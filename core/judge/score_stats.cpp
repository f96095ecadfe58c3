#include "core/judge/score_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <tuple>

namespace sft {

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }

double sampleStddev(const std::vector<double>& v)
{
    if (v.size() < 2)
        return kNaN;
    const double m = mean(v);
    double sum = 0;
    for (double x : v)
        sum += (x - m) * (x - m);
    return std::sqrt(sum / double(v.size() - 1));
}

// Percentile interval of the mean over resamples drawn with replacement. Indices come from the
// raw generator (not std::uniform_int_distribution, whose output differs between standard
// libraries) so a seed gives the same interval everywhere.
std::pair<double, double> bootstrapInterval(const std::vector<double>& v, const BootstrapSettings& settings)
{
    std::mt19937_64 rng(settings.seed);
    std::vector<double> means(size_t(settings.resamples));
    for (double& m : means) {
        double sum = 0;
        for (size_t i = 0; i < v.size(); ++i)
            sum += v[rng() % v.size()];
        m = sum / double(v.size());
    }
    std::sort(means.begin(), means.end());
    return {quantile(means, 0.025), quantile(means, 0.975)};
}

void addSampleSpread(ScoreStats& stats, const std::vector<std::vector<double>>& samples)
{
    double stddevSum = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
        if (samples[i].size() < 2)
            continue;
        ++stats.sampledEntries;
        stddevSum += sampleStddev(samples[i]);
        const auto [lo, hi] = std::minmax_element(samples[i].begin(), samples[i].end());
        if (stats.sampledEntries == 1 || *hi - *lo > stats.maxSampleRange) {
            stats.maxSampleRange = *hi - *lo;
            stats.maxRangeIndex = i;
        }
    }
    stats.meanSampleStddev = stats.sampledEntries ? stddevSum / double(stats.sampledEntries) : kNaN;
    if (!stats.sampledEntries)
        stats.maxSampleRange = kNaN;
}

// JSON has no NaN: an undefined value is written as null, as it would be read back.
nlohmann::json orNull(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

} // namespace

double quantile(const std::vector<double>& sorted, double q)
{
    if (sorted.empty())
        return kNaN;
    const double position = q * double(sorted.size() - 1);
    const size_t below = size_t(std::floor(position));
    const size_t above = std::min(below + 1, sorted.size() - 1);
    return sorted[below] + (position - double(below)) * (sorted[above] - sorted[below]);
}

ScoreStats scoreStats(const std::vector<std::optional<double>>& scores,
                      const std::vector<std::vector<double>>& samples, const BootstrapSettings& bootstrap)
{
    ScoreStats stats;
    stats.total = scores.size();
    std::vector<double> values;
    for (const auto& s : scores)
        if (s)
            values.push_back(*s);
    stats.scored = values.size();
    addSampleSpread(stats, samples);
    if (values.empty()) {
        stats.mean = stats.stddev = stats.median = stats.ciLow = stats.ciHigh = kNaN;
        return stats;
    }
    for (double v : values)
        ++stats.histogram[size_t(std::clamp(int(v / 10), 0, 9))];
    stats.mean = mean(values);
    stats.stddev = sampleStddev(values);
    std::sort(values.begin(), values.end());
    stats.median = quantile(values, 0.5);
    std::tie(stats.ciLow, stats.ciHigh) = bootstrapInterval(values, bootstrap);
    return stats;
}

nlohmann::json ScoreStats::toJson() const
{
    nlohmann::json j = {{"entries", total},
                        {"scored", scored},
                        {"unscored", total - scored},
                        {"mean", orNull(mean)},
                        {"stddev", orNull(stddev)},
                        {"median", orNull(median)},
                        {"ci95", {orNull(ciLow), orNull(ciHigh)}},
                        {"ci_method", "bootstrap percentile of the mean, seeded"},
                        {"histogram", histogram},
                        {"histogram_bins", "0-9, 10-19, ..., 80-89, 90-100"}};
    if (sampledEntries)
        j["samples"] = {{"entries", sampledEntries},
                        {"mean_stddev", orNull(meanSampleStddev)},
                        {"max_range", orNull(maxSampleRange)},
                        {"max_range_entry", maxRangeIndex}};
    return j;
}

} // namespace sft
