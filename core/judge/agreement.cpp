#include "core/judge/agreement.h"

#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace sft {

double pearson(const std::vector<double>& x, const std::vector<double>& y)
{
    const double n = double(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    if (sxx == 0 || syy == 0)
        return std::numeric_limits<double>::quiet_NaN();
    return sxy / std::sqrt(sxx * syy);
}

std::vector<double> averageRanks(const std::vector<double>& x)
{
    std::vector<size_t> order(x.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&x](size_t a, size_t b) { return x[a] < x[b]; });
    std::vector<double> ranks(x.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && x[order[j + 1]] == x[order[i]])
            ++j;
        const double shared = (double(i) + double(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k)
            ranks[order[k]] = shared;
        i = j + 1;
    }
    return ranks;
}

double spearman(const std::vector<double>& x, const std::vector<double>& y)
{
    return pearson(averageRanks(x), averageRanks(y));
}

double kendallTauB(const std::vector<double>& x, const std::vector<double>& y)
{
    double concordant = 0, discordant = 0, tiedOnlyX = 0, tiedOnlyY = 0;
    for (size_t i = 0; i < x.size(); ++i)
        for (size_t j = i + 1; j < x.size(); ++j) {
            const double dx = x[i] - x[j];
            const double dy = y[i] - y[j];
            if (dx == 0 && dy == 0)
                continue;
            if (dx == 0)
                ++tiedOnlyX;
            else if (dy == 0)
                ++tiedOnlyY;
            else if ((dx > 0) == (dy > 0))
                ++concordant;
            else
                ++discordant;
        }
    const double denominator = std::sqrt((concordant + discordant + tiedOnlyX) * (concordant + discordant + tiedOnlyY));
    if (denominator == 0)
        return std::numeric_limits<double>::quiet_NaN();
    return (concordant - discordant) / denominator;
}

Agreement agreement(const ScoreList& a, const ScoreList& b)
{
    if (a.scores.size() != b.scores.size())
        throw ConfigError(a.name + " has " + std::to_string(a.scores.size()) + " entries but " + b.name + " has " +
                          std::to_string(b.scores.size()) +
                          "; scores are paired entry by entry, so both lists must score the same entries");
    Agreement result;
    std::vector<double> x, y;
    for (size_t i = 0; i < a.scores.size(); ++i) {
        result.unscoredInA += !a.scores[i];
        result.unscoredInB += !b.scores[i];
        if (a.scores[i] && b.scores[i]) {
            x.push_back(*a.scores[i]);
            y.push_back(*b.scores[i]);
        }
    }
    result.pairs = x.size();
    if (x.size() < 2)
        throw ConfigError("only " + std::to_string(x.size()) + " entries are scored in both " + a.name + " and " +
                          b.name + "; agreement needs at least two");
    result.pearson = pearson(x, y);
    result.spearman = spearman(x, y);
    result.kendall = kendallTauB(x, y);
    return result;
}

} // namespace sft
