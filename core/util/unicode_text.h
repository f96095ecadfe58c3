#pragma once
// Python's string semantics on code points, for tools that must give what the book's scripts
// give on any text: str.lower() and the re module's \w and \s. Qt's Unicode tables (the same
// Unicode version as Debian's Python) supply the character properties; what Python adds to them
// is spelled out here.

#include <string>
#include <string_view>

namespace sft::unicode {

// str.lower(): full lowercasing, so U+0130 becomes two code points and a capital sigma ending a
// word becomes the final form, as Python decides it (Unicode's Final_Sigma context).
std::u32string pythonLower(std::u32string_view text);
// re's \w on str patterns: str.isalnum() or '_'.
bool isPythonWordChar(char32_t c);
// re's \s on str patterns: str.isspace(), which unlike QChar::isSpace includes U+001C..U+001F.
bool isPythonSpace(char32_t c);

} // namespace sft::unicode
