#include "core/tokenizer/token_text_stream.h"

namespace sft {

namespace {

// Bytes a character starting with `lead` takes; 0 when `lead` cannot start one.
size_t sequenceLength(unsigned char lead)
{
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

} // namespace

std::string TokenTextStream::completeText() const
{
    // An unfinished character is a lead byte followed by fewer continuation bytes than it needs,
    // so it starts within the last three bytes.
    const size_t size = bytes_.size();
    for (size_t back = 1; back <= 3 && back <= size; ++back) {
        const auto c = static_cast<unsigned char>(bytes_[size - back]);
        if (isContinuation(c))
            continue;
        const size_t needed = sequenceLength(c);
        return needed > back ? bytes_.substr(0, size - back) : bytes_;
    }
    return bytes_;
}

} // namespace sft
