#pragma once
// Reading a judge's reply. Structured output (JSON) is tried first; free text falls back to a
// number that stands alone. Anything doubtful (no number, conflicting numbers, out of range,
// a fraction) is "unparseable" with the reason, never a guess: an unscored entry is reported,
// a wrong score would silently bias the mean.

#include <optional>
#include <string>

namespace sft {

struct ScoreReading {
    std::optional<int> score; // 0..100 when the reply could be read
    std::string reason;       // the judge's own reason, when it gave one
    std::string problem;      // why no score was read
};

ScoreReading readScore(const std::string& reply);

// Pairwise verdicts name positions, not models: the caller knows which answer came first.
enum class Verdict { First, Second, Tie };

struct VerdictReading {
    std::optional<Verdict> verdict;
    std::string problem;
};

VerdictReading readVerdict(const std::string& reply);

} // namespace sft
