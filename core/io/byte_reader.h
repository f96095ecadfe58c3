#pragma once
// A cursor over the bytes of a binary file format (LevelDB tables, protobuf messages) that
// never reads outside them: every read names what it wanted, and running out of bytes or a
// malformed varint is a WeightsError that says where.

#include <cstdint>
#include <string>
#include <string_view>

namespace sft {

class ByteReader {
public:
    // `where` starts every error message, e.g. "model.ckpt.index, block at 1234".
    ByteReader(std::string_view bytes, std::string where);

    bool atEnd() const { return pos_ == bytes_.size(); }
    size_t position() const { return pos_; }
    size_t remaining() const { return bytes_.size() - pos_; }

    uint64_t varint64(const char* what);
    uint32_t varint32(const char* what);
    uint32_t fixed32(const char* what); // little-endian
    uint64_t fixed64(const char* what); // little-endian
    std::string_view take(uint64_t count, const char* what);

    [[noreturn]] void fail(const std::string& why) const;

private:
    std::string_view bytes_;
    std::string where_;
    size_t pos_ = 0;
};

// Little-endian integer encodings, for writers of the same formats.
void appendFixed32(std::string& out, uint32_t value);
void appendFixed64(std::string& out, uint64_t value);
void appendVarint(std::string& out, uint64_t value);

} // namespace sft
