#pragma once
// How closely two judges (or a judge and people) agree on the same entries: Pearson on the
// scores, Spearman on their ranks (ties share the average rank), Kendall's tau-b on the order of
// every pair (ties corrected), as scipy.stats computes them by default.

#include <optional>
#include <string>
#include <vector>

namespace sft {

double pearson(const std::vector<double>& x, const std::vector<double>& y);
std::vector<double> averageRanks(const std::vector<double>& x); // 1-based
double spearman(const std::vector<double>& x, const std::vector<double>& y);
double kendallTauB(const std::vector<double>& x, const std::vector<double>& y);

// One judge's scores for a list of entries, in entry order; nullopt where it gave none.
struct ScoreList {
    std::string name; // for messages, usually the file
    std::vector<std::optional<double>> scores;
};

struct Agreement {
    size_t pairs = 0;       // entries scored in both lists
    size_t unscoredInA = 0; // entries left out because A (or B) has no score for them
    size_t unscoredInB = 0;
    double pearson = 0, spearman = 0, kendall = 0; // NaN when a list is constant
};

// Entries are paired by position, so both lists must cover the same entries: different lengths
// are a ConfigError that gives both.
Agreement agreement(const ScoreList& a, const ScoreList& b);

} // namespace sft
