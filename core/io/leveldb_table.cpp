#include "core/io/leveldb_table.h"

#include "core/io/byte_reader.h"
#include "core/io/crc32c.h"
#include "core/util/error.h"

#include <algorithm>

namespace sft {

namespace {

constexpr size_t kBlockTrailerBytes = 5; // type byte + masked crc32c
constexpr unsigned char kNoCompression = 0;

struct BlockHandle {
    uint64_t offset;
    uint64_t size;
};

BlockHandle readHandle(ByteReader& reader, const char* what)
{
    BlockHandle handle{reader.varint64(what), 0};
    handle.size = reader.varint64(what);
    return handle;
}

class TableReader {
public:
    TableReader(std::string_view file, const std::string& fileName) : file_(file), name_(fileName) {}

    std::vector<TableEntry> entries()
    {
        std::vector<TableEntry> out;
        for (const TableEntry& index : blockEntries(footerIndexHandle(), "the index block")) {
            ByteReader value(index.value, name_ + ", index entry '" + index.key + "'");
            const BlockHandle data = readHandle(value, "of a data block handle");
            for (TableEntry& entry : blockEntries(data, "a data block"))
                out.push_back(std::move(entry));
        }
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& why) const
    {
        throw WeightsError(name_ + " is not a readable checkpoint index (a LevelDB table): " + why);
    }

    BlockHandle footerIndexHandle() const
    {
        if (file_.size() < kLevelDbFooterBytes)
            fail("it has " + std::to_string(file_.size()) + " bytes, fewer than the " +
                 std::to_string(kLevelDbFooterBytes) + "-byte footer (truncated?)");
        ByteReader footer(file_.substr(file_.size() - kLevelDbFooterBytes), name_ + ", footer");
        readHandle(footer, "of the metaindex handle"); // no filters or statistics are needed
        const BlockHandle index = readHandle(footer, "of the index handle");
        footer.take(kLevelDbFooterBytes - 8 - footer.position(), "padding");
        if (footer.fixed64("magic number") != kLevelDbTableMagic)
            fail("the footer does not end in LevelDB's magic number (truncated or not a table)");
        return index;
    }

    std::string_view checkedBlock(const BlockHandle& handle, const std::string& what) const
    {
        const uint64_t end = file_.size() - kLevelDbFooterBytes;
        if (handle.offset > end || handle.size > end - handle.offset ||
            kBlockTrailerBytes > end - handle.offset - handle.size)
            fail(what + " at offset " + std::to_string(handle.offset) + " (" + std::to_string(handle.size) +
                 " bytes) lies past the end of the " + std::to_string(file_.size()) + "-byte file");
        const std::string_view contents = file_.substr(size_t(handle.offset), size_t(handle.size));
        ByteReader trailer(file_.substr(size_t(handle.offset + handle.size), kBlockTrailerBytes), name_);
        const auto type = static_cast<unsigned char>(trailer.take(1, "block type")[0]);
        const uint32_t stored = trailer.fixed32("block checksum");
        const uint32_t actual = maskCrc32c(crc32c(std::string_view(&file_[size_t(handle.offset + handle.size)], 1),
                                                  crc32c(contents)));
        if (stored != actual)
            fail(what + " at offset " + std::to_string(handle.offset) + " fails its checksum (damaged file)");
        if (type != kNoCompression)
            fail(what + " is compressed (type " + std::to_string(type) +
                 "); only uncompressed tables, as TensorFlow writes checkpoint indexes, are read");
        return contents;
    }

    std::vector<TableEntry> blockEntries(const BlockHandle& handle, const std::string& what) const
    {
        const std::string_view block = checkedBlock(handle, what);
        const std::string where = name_ + ", " + what + " at offset " + std::to_string(handle.offset);
        if (block.size() < 4)
            fail(what + " at offset " + std::to_string(handle.offset) + " is too short to hold its restart count");
        ByteReader countReader(block.substr(block.size() - 4), where);
        const uint32_t restartCount = countReader.fixed32("restart count");
        if (restartCount == 0 || restartCount > (block.size() - 4) / 4)
            fail(what + " at offset " + std::to_string(handle.offset) + " claims " + std::to_string(restartCount) +
                 " restart points, which its " + std::to_string(block.size()) + " bytes cannot hold");
        const size_t entriesEnd = block.size() - 4 - 4 * size_t(restartCount);
        ByteReader restarts(block.substr(entriesEnd, 4 * size_t(restartCount)), where);
        std::vector<uint32_t> restartOffsets;
        for (uint32_t i = 0; i < restartCount; ++i)
            restartOffsets.push_back(restarts.fixed32("restart offset"));
        return parseEntries(block.substr(0, entriesEnd), restartOffsets, where);
    }

    // A restart point is where an entry stores its key whole, so a reader may start there.
    static std::vector<TableEntry> parseEntries(std::string_view entries, const std::vector<uint32_t>& restarts,
                                                const std::string& where)
    {
        ByteReader reader(entries, where);
        std::vector<TableEntry> out;
        std::vector<uint32_t> wholeKeyStarts;
        std::string key;
        while (!reader.atEnd()) {
            const auto start = uint32_t(reader.position());
            const uint32_t shared = reader.varint32("shared key length");
            if (shared == 0)
                wholeKeyStarts.push_back(start);
            const uint32_t unshared = reader.varint32("unshared key length");
            const uint32_t valueLength = reader.varint32("value length");
            if (shared > key.size())
                reader.fail("an entry shares " + std::to_string(shared) + " bytes with a previous key of " +
                            std::to_string(key.size()));
            key = key.substr(0, shared) + std::string(reader.take(unshared, "key"));
            out.push_back({key, std::string(reader.take(valueLength, "value"))});
        }
        for (const uint32_t restart : restarts)
            if (!(out.empty() && restart == 0) &&
                !std::binary_search(wholeKeyStarts.begin(), wholeKeyStarts.end(), restart))
                reader.fail("restart offset " + std::to_string(restart) + " is not an entry with a whole key");
        return out;
    }

    std::string_view file_;
    std::string name_;
};

} // namespace

std::vector<TableEntry> readLevelDbTable(std::string_view file, const std::string& fileName)
{
    return TableReader(file, fileName).entries();
}

} // namespace sft
