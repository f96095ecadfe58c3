#pragma once
// Word-level differences between two texts, so that a reference answer and a model's answer
// (or the answers of two models) can be read side by side with what changed highlighted.

#include <string>
#include <vector>

namespace sft {

enum class DiffKind { Equal, Removed, Added };

struct DiffSpan {
    DiffKind kind = DiffKind::Equal;
    std::string text;
    bool operator==(const DiffSpan& other) const { return kind == other.kind && text == other.text; }
};

// The units compared are words (runs of non-whitespace) and the runs of whitespace between
// them, so no character is lost: the Equal and Removed spans in order spell `before`, the
// Equal and Added spans spell `after`. The Equal units are a longest common subsequence; where
// several exist, the walk from the start matches equal units at once and otherwise removes
// before it adds. Neighbouring spans of one kind are merged. When the texts, past their common
// start and end, are too long for the quadratic table (about two thousand units each), the
// middle is reported as one removal and one addition.
std::vector<DiffSpan> diffWords(const std::string& before, const std::string& after);

} // namespace sft
