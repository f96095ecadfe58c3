#pragma once
// The text of a stream of generated tokens as it grows. GPT-2 tokens are byte strings, so a
// token may end inside a multi-byte UTF-8 character; that character is held back until the
// token completing it arrives, so a reader shown the text never sees half a character.

#include "core/tokenizer/tokenizer.h"

#include <cstdint>
#include <string>

namespace sft {

class TokenTextStream {
public:
    explicit TokenTextStream(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

    void push(int64_t token) { bytes_ += tokenizer_.tokenBytes(int(token)); }
    // Every byte so far except a character still missing bytes at the end. Bytes that can never
    // form a character (an invalid lead, a stray continuation) are not held back.
    std::string completeText() const;
    // Every byte so far: what Tokenizer::decode gives for the same tokens.
    const std::string& bytes() const { return bytes_; }

private:
    const Tokenizer& tokenizer_;
    std::string bytes_;
};

} // namespace sft
