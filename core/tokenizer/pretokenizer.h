#pragma once
// GPT-2's pre-tokenizer: the text is cut into pieces that BPE encodes one at a time, as by
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// with JavaScript's meaning of \s (the reference is js-tiktoken). Bytes that are not valid
// UTF-8 count as single characters that are neither letters, numbers nor spaces.

#include <string_view>
#include <vector>

namespace sft {

// The pieces are consecutive views into text and together cover it exactly.
std::vector<std::string_view> splitPieces(std::string_view text);

} // namespace sft
