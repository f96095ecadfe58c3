#pragma once
// LevelDB's table file ("SSTable"), the format of a TensorFlow checkpoint's .index file: data
// blocks of sorted, prefix-compressed key/value entries with restart points, an index block
// holding a handle (offset, size) of each data block, and a 48-byte footer that locates the
// index and ends in a magic number. Each block is followed by its type byte and a masked
// CRC-32C. Uncompressed blocks only, which is how TensorFlow writes checkpoint indexes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sft {

constexpr uint64_t kLevelDbTableMagic = 0xdb4775248b80fb57ull;
constexpr size_t kLevelDbFooterBytes = 48;

struct TableEntry {
    std::string key;
    std::string value;
};

// Every entry of every data block, in file order. WeightsError naming `fileName` for a
// truncated file, a wrong magic, a handle outside the file, a bad checksum, a compressed block
// or a malformed entry.
std::vector<TableEntry> readLevelDbTable(std::string_view file, const std::string& fileName);

} // namespace sft
