#include "core/tokenizer/pretokenizer.h"

#include "core/tokenizer/utf8.h"

#include <QChar>

#include <cstdint>

namespace sft {

namespace {

enum class CharClass : uint8_t { Letter, Number, Space, Other };

struct Char {
    size_t offset; // of its first byte in the text
    CharClass cls;
};

// JavaScript's \s: WhiteSpace and LineTerminator of ECMA-262, which unlike Unicode's
// White_Space leaves out U+0085 and adds U+FEFF.
bool isJsSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
        || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xFEFF;
}

CharClass classify(const utf8::CodePoint& cp)
{
    if (!cp.valid)
        return CharClass::Other;
    if (isJsSpace(cp.value))
        return CharClass::Space;
    if (QChar::isLetter(cp.value))
        return CharClass::Letter;
    if (QChar::isNumber(cp.value))
        return CharClass::Number;
    return CharClass::Other;
}

// The characters of text, closed by a sentinel at text.size().
std::vector<Char> readChars(std::string_view text)
{
    std::vector<Char> chars;
    chars.reserve(text.size() + 1);
    for (size_t pos = 0; pos < text.size();) {
        const utf8::CodePoint cp = utf8::decodeAt(text, pos);
        chars.push_back({pos, classify(cp)});
        pos += cp.length;
    }
    chars.push_back({text.size(), CharClass::Other});
    return chars;
}

// 's 't 're 've 'm 'll 'd: the number of characters matched at pos, or 0.
size_t contractionLength(std::string_view text, size_t pos)
{
    const std::string_view rest = text.substr(pos, 3);
    if (rest.size() < 2 || rest[0] != '\'')
        return 0;
    if (std::string_view("stmd").find(rest[1]) != std::string_view::npos)
        return 2;
    const std::string_view tail = rest.substr(1);
    return tail == "re" || tail == "ve" || tail == "ll" ? 3 : 0;
}

size_t runEnd(const std::vector<Char>& chars, size_t i, size_t count, CharClass cls)
{
    while (i < count && chars[i].cls == cls)
        ++i;
    return i;
}

// Index of the character after the piece that starts at character i.
size_t pieceEnd(std::string_view text, const std::vector<Char>& chars, size_t i, size_t count)
{
    if (const size_t n = contractionLength(text, chars[i].offset))
        return i + n;
    // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: a run of one class, led by at most one space.
    const bool spaceLeads = text[chars[i].offset] == ' ' && i + 1 < count && chars[i + 1].cls != CharClass::Space;
    const size_t start = spaceLeads ? i + 1 : i;
    if (chars[start].cls != CharClass::Space)
        return runEnd(chars, start, count, chars[start].cls);
    // `\s+(?!\S)|\s+`: a run of spaces gives its last one to the word that follows it.
    const size_t end = runEnd(chars, i, count, CharClass::Space);
    return end < count && end - i > 1 ? end - 1 : end;
}

} // namespace

std::vector<std::string_view> splitPieces(std::string_view text)
{
    const std::vector<Char> chars = readChars(text);
    const size_t count = chars.size() - 1;
    std::vector<std::string_view> pieces;
    for (size_t i = 0; i < count;) {
        const size_t end = pieceEnd(text, chars, i, count);
        pieces.push_back(text.substr(chars[i].offset, chars[end].offset - chars[i].offset));
        i = end;
    }
    return pieces;
}

} // namespace sft
