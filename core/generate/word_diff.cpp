#include "core/generate/word_diff.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace sft {

namespace {

// Beyond this many table cells (4 bytes each) the middle is shown as replaced wholesale.
constexpr size_t kMaxCells = size_t(4) << 20;

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::vector<std::string_view> units(std::string_view text)
{
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start < text.size()) {
        const bool space = isSpace(text[start]);
        size_t end = start + 1;
        while (end < text.size() && isSpace(text[end]) == space)
            ++end;
        out.push_back(text.substr(start, end - start));
        start = end;
    }
    return out;
}

void emit(std::vector<DiffSpan>& spans, DiffKind kind, std::string_view text)
{
    if (!spans.empty() && spans.back().kind == kind)
        spans.back().text += text;
    else
        spans.push_back({kind, std::string(text)});
}

using Units = std::vector<std::string_view>;

// a[ab, ae) against b[bb, be): lcs[i][j] is the common-subsequence length of the suffixes
// starting at i and j, so the walk forwards can choose at each step.
void diffMiddle(const Units& a, size_t ab, size_t ae, const Units& b, size_t bb, size_t be,
                std::vector<DiffSpan>& spans)
{
    const size_t n = ae - ab, m = be - bb;
    if ((n + 1) * (m + 1) > kMaxCells) {
        for (size_t i = ab; i < ae; ++i)
            emit(spans, DiffKind::Removed, a[i]);
        for (size_t j = bb; j < be; ++j)
            emit(spans, DiffKind::Added, b[j]);
        return;
    }
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            at(i, j) = a[ab + i] == b[bb + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && a[ab + i] == b[bb + j]) {
            emit(spans, DiffKind::Equal, a[ab + i]);
            ++i, ++j;
        } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
            emit(spans, DiffKind::Removed, a[ab + i++]);
        } else {
            emit(spans, DiffKind::Added, b[bb + j++]);
        }
    }
}

} // namespace

std::vector<DiffSpan> diffWords(const std::string& before, const std::string& after)
{
    const Units a = units(before), b = units(after);
    size_t prefix = 0;
    while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix])
        ++prefix;
    size_t suffix = 0;
    while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
           a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
        ++suffix;
    std::vector<DiffSpan> spans;
    for (size_t i = 0; i < prefix; ++i)
        emit(spans, DiffKind::Equal, a[i]);
    diffMiddle(a, prefix, a.size() - suffix, b, prefix, b.size() - suffix, spans);
    for (size_t i = a.size() - suffix; i < a.size(); ++i)
        emit(spans, DiffKind::Equal, a[i]);
    return spans;
}

} // namespace sft
