#include "core/tokenizer/byte_alphabet.h"

#include "core/tokenizer/utf8.h"

#include <array>

namespace sft {

namespace {

bool standsForItself(int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); }

struct Alphabet {
    std::array<char32_t, 256> charOfByte{};
    std::array<int, 0x200> byteOfChar{}; // every character of the alphabet is below U+0200

    Alphabet()
    {
        byteOfChar.fill(-1);
        char32_t shifted = 0x100;
        for (int b = 0; b < 256; ++b) {
            charOfByte[b] = standsForItself(b) ? char32_t(b) : shifted++;
            byteOfChar[charOfByte[b]] = b;
        }
    }
};

const Alphabet& alphabet()
{
    static const Alphabet table;
    return table;
}

} // namespace

std::string spellBytes(std::string_view bytes)
{
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes)
        utf8::append(out, alphabet().charOfByte[static_cast<unsigned char>(c)]);
    return out;
}

std::optional<std::string> unspellBytes(std::string_view spelled)
{
    std::string out;
    out.reserve(spelled.size());
    for (size_t pos = 0; pos < spelled.size();) {
        const utf8::CodePoint cp = utf8::decodeAt(spelled, pos);
        if (!cp.valid || cp.value >= alphabet().byteOfChar.size() || alphabet().byteOfChar[cp.value] < 0)
            return std::nullopt;
        out += char(alphabet().byteOfChar[cp.value]);
        pos += cp.length;
    }
    return out;
}

} // namespace sft
