#include "core/io/byte_reader.h"

#include "core/util/error.h"

#include <utility>

namespace sft {

ByteReader::ByteReader(std::string_view bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}

void ByteReader::fail(const std::string& why) const
{
    throw WeightsError(where_ + ": " + why + " (at byte " + std::to_string(pos_) + " of " +
                       std::to_string(bytes_.size()) + "); the file is damaged or not in the expected format");
}

uint64_t ByteReader::varint64(const char* what)
{
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (atEnd())
            fail(std::string("the bytes end inside the varint ") + what);
        const auto byte = static_cast<unsigned char>(bytes_[pos_++]);
        // The tenth byte may only carry the 64th bit.
        if (shift == 63 && byte > 1)
            fail(std::string("the varint ") + what + " does not fit 64 bits");
        value |= uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return value;
    }
    fail(std::string("the varint ") + what + " is longer than 10 bytes");
}

uint32_t ByteReader::varint32(const char* what)
{
    const uint64_t value = varint64(what);
    if (value > UINT32_MAX)
        fail(std::string(what) + " " + std::to_string(value) + " does not fit 32 bits");
    return uint32_t(value);
}

uint32_t ByteReader::fixed32(const char* what)
{
    const std::string_view b = take(4, what);
    uint32_t value = 0;
    for (int i = 3; i >= 0; --i)
        value = (value << 8) | static_cast<unsigned char>(b[size_t(i)]);
    return value;
}

uint64_t ByteReader::fixed64(const char* what)
{
    const uint64_t low = fixed32(what);
    return low | (uint64_t(fixed32(what)) << 32);
}

std::string_view ByteReader::take(uint64_t count, const char* what)
{
    if (count > remaining())
        fail(std::string(what) + " needs " + std::to_string(count) + " bytes but only " +
             std::to_string(remaining()) + " are left");
    const std::string_view out = bytes_.substr(pos_, size_t(count));
    pos_ += size_t(count);
    return out;
}

void appendFixed32(std::string& out, uint32_t value)
{
    for (int i = 0; i < 4; ++i)
        out += char((value >> (8 * i)) & 0xff);
}

void appendFixed64(std::string& out, uint64_t value)
{
    appendFixed32(out, uint32_t(value));
    appendFixed32(out, uint32_t(value >> 32));
}

void appendVarint(std::string& out, uint64_t value)
{
    while (value >= 0x80) {
        out += char((value & 0x7f) | 0x80);
        value >>= 7;
    }
    out += char(value);
}

} // namespace sft
