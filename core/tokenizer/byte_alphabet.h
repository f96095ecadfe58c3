#pragma once
// GPT-2's vocabulary files spell every token byte as one printable character (the
// `bytes_to_unicode` table of OpenAI's encoder.py): printable Latin-1 bytes stand for
// themselves, the other 68 bytes are moved to U+0100.. in byte order.

#include <optional>
#include <string>
#include <string_view>

namespace sft {

// Raw token bytes -> the text written in encoder.json / vocab.json / merges.txt.
std::string spellBytes(std::string_view bytes);
// The inverse; nullopt when the text holds a character outside the 256-character alphabet.
std::optional<std::string> unspellBytes(std::string_view spelled);

} // namespace sft
