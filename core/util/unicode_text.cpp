#include "core/util/unicode_text.h"

#include <QChar>

#include <algorithm>
#include <array>

namespace sft::unicode {

namespace {

// Case_Ignorable beyond its categories (Mn, Me, Cf, Lm, Sk): the Word_Break classes MidLetter,
// MidNumLet and Single_Quote, which Qt does not expose.
constexpr std::array<char32_t, 17> kIgnorablePunctuation = {
    0x27, 0x2E, 0x3A, 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027,
    0xFE13, 0xFE52, 0xFE55, 0xFF07, 0xFF0E, 0xFF1A};

bool caseIgnorable(char32_t c)
{
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_Enclosing:
    case QChar::Other_Format:
    case QChar::Letter_Modifier:
    case QChar::Symbol_Modifier:
        return true;
    default:
        return std::binary_search(kIgnorablePunctuation.begin(), kIgnorablePunctuation.end(), c);
    }
}

// Unicode's Cased, for characters that are not case-ignorable (the only ones the sigma rule
// asks about): a case letter, a character with a case mapping, or one of the few Other_Lowercase
// and Other_Uppercase characters that have neither (ª, º, the squared and circled Latin capitals).
bool cased(char32_t c)
{
    const QChar::Category category = QChar::category(c);
    if (category == QChar::Letter_Uppercase || category == QChar::Letter_Lowercase || category == QChar::Letter_Titlecase)
        return true;
    if (QChar::toLower(c) != c || QChar::toUpper(c) != c || QChar::toTitleCase(c) != c)
        return true;
    return c == 0xAA || c == 0xBA || (c >= 0x1F130 && c <= 0x1F149) || (c >= 0x1F150 && c <= 0x1F169) ||
           (c >= 0x1F170 && c <= 0x1F189);
}

// CPython's rule: a capital sigma is final when a cased letter precedes it and none follows,
// looking past case-ignorable characters both ways.
bool finalSigma(std::u32string_view text, size_t at)
{
    size_t before = at;
    while (before > 0 && caseIgnorable(text[before - 1]))
        --before;
    if (before == 0 || !cased(text[before - 1]))
        return false;
    size_t after = at + 1;
    while (after < text.size() && caseIgnorable(text[after]))
        ++after;
    return after == text.size() || !cased(text[after]);
}

} // namespace

std::u32string pythonLower(std::u32string_view text)
{
    std::u32string lower;
    lower.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char32_t c = text[i];
        if (c < 0x80)
            lower += (c >= 'A' && c <= 'Z') ? c + 32 : c;
        else if (c == 0x130) // the one unconditional full mapping longer than a code point
            lower += U"i\u0307";
        else if (c == 0x3A3)
            lower += finalSigma(text, i) ? char32_t(0x3C2) : char32_t(0x3C3);
        else
            lower += QChar::toLower(c);
    }
    return lower;
}

bool isPythonWordChar(char32_t c)
{
    if (c < 0x80)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return QChar::isLetterOrNumber(c);
}

bool isPythonSpace(char32_t c) { return QChar::isSpace(c) || (c >= 0x1C && c <= 0x1F); }

} // namespace sft::unicode
