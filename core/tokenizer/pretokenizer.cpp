#include "core/tokenizer/pretokenizer.h"

#include "core/tokenizer/utf8.h"

#include <QChar>

#include <cstdint>

namespace sft {

namespace {

enum class CharClass : uint8_t { Letter, Number, Space, Other };

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

// The class of the character at byte pos, and its length in bytes.
struct Char {
    CharClass cls;
    size_t length;
};

Char charAt(std::string_view text, size_t pos)
{
    const utf8::CodePoint cp = utf8::decodeAt(text, pos);
    return {classify(cp), cp.length};
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

// Characters are read as the pieces are cut, not into a table first: a table costs
// several times the text's size, which matters for texts of tens of megabytes.
size_t runEnd(std::string_view text, size_t pos, CharClass cls)
{
    while (pos < text.size()) {
        const Char c = charAt(text, pos);
        if (c.cls != cls)
            break;
        pos += c.length;
    }
    return pos;
}

// Byte offset of the end of the piece that starts at byte pos.
size_t pieceEnd(std::string_view text, size_t pos)
{
    if (const size_t n = contractionLength(text, pos))
        return pos + n;
    // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: a run of one class, led by at most one space.
    const bool spaceLeads = text[pos] == ' ' && pos + 1 < text.size() && charAt(text, pos + 1).cls != CharClass::Space;
    const size_t start = spaceLeads ? pos + 1 : pos;
    const CharClass cls = charAt(text, start).cls;
    if (cls != CharClass::Space)
        return runEnd(text, start, cls);
    // `\s+(?!\S)|\s+`: a run of spaces gives its last one to the word that follows it.
    size_t last = pos;
    size_t end = pos;
    while (end < text.size()) {
        const Char c = charAt(text, end);
        if (c.cls != CharClass::Space)
            break;
        last = end;
        end += c.length;
    }
    return end < text.size() && last > pos ? last : end;
}

} // namespace

std::vector<std::string_view> splitPieces(std::string_view text)
{
    std::vector<std::string_view> pieces;
    for (size_t pos = 0; pos < text.size();) {
        const size_t end = pieceEnd(text, pos);
        pieces.push_back(text.substr(pos, end - pos));
        pos = end;
    }
    return pieces;
}

} // namespace sft
