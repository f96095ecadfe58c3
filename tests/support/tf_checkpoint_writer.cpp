#include "tests/support/tf_checkpoint_writer.h"

#include "core/io/byte_reader.h"
#include "core/io/crc32c.h"
#include "core/io/leveldb_table.h"
#include "core/util/files.h"

#include <torch/torch.h>

namespace sft::test {

namespace {

// Protobuf: a field's tag is (number << 3) | wire type.
void varintField(std::string& out, uint32_t number, uint64_t value)
{
    appendVarint(out, uint64_t(number) << 3);
    appendVarint(out, value);
}

void bytesField(std::string& out, uint32_t number, const std::string& bytes)
{
    appendVarint(out, (uint64_t(number) << 3) | 2);
    appendVarint(out, bytes.size());
    out += bytes;
}

// BundleHeaderProto{num_shards: 1, endianness: LITTLE, version: {producer: 1}}; proto3 leaves
// out fields that hold their default (endianness 0).
std::string bundleHeader()
{
    std::string version, header;
    varintField(version, 1, 1);
    varintField(header, 1, 1);
    bytesField(header, 3, version);
    return header;
}

// BundleEntryProto{dtype: DT_FLOAT, shape, shard_id: 0, offset, size, crc32c}.
std::string bundleEntry(const torch::Tensor& t, uint64_t offset, uint64_t size, uint32_t maskedCrc)
{
    std::string shape, entry;
    for (const int64_t d : t.sizes()) {
        std::string dim;
        varintField(dim, 1, uint64_t(d));
        bytesField(shape, 2, dim);
    }
    varintField(entry, 1, 1);
    bytesField(entry, 2, shape);
    if (offset != 0)
        varintField(entry, 4, offset);
    if (size != 0)
        varintField(entry, 5, size);
    appendVarint(entry, (6 << 3) | 5);
    appendFixed32(entry, maskedCrc);
    return entry;
}

class BlockBuilder {
public:
    explicit BlockBuilder(int restartInterval) : interval_(restartInterval) {}

    void add(const std::string& key, const std::string& value)
    {
        size_t shared = 0;
        if (sinceRestart_ < interval_) {
            while (shared < key.size() && shared < lastKey_.size() && key[shared] == lastKey_[shared])
                ++shared;
        } else {
            restarts_.push_back(uint32_t(bytes_.size()));
            sinceRestart_ = 0;
        }
        appendVarint(bytes_, shared);
        appendVarint(bytes_, key.size() - shared);
        appendVarint(bytes_, value.size());
        bytes_ += key.substr(shared) + value;
        lastKey_ = key;
        ++sinceRestart_;
        empty_ = false;
    }

    bool empty() const { return empty_; }
    size_t size() const { return bytes_.size(); }
    const std::string& lastKey() const { return lastKey_; }

    std::string finish() const
    {
        std::string out = bytes_;
        for (const uint32_t r : restarts_)
            appendFixed32(out, r);
        appendFixed32(out, uint32_t(restarts_.size()));
        return out;
    }

private:
    int interval_;
    std::string bytes_;
    std::vector<uint32_t> restarts_{0};
    std::string lastKey_;
    int sinceRestart_ = 0;
    bool empty_ = true;
};

// Appends a block with its trailer (type 0: uncompressed) and returns its handle.
std::string appendBlock(std::string& file, const std::string& contents)
{
    std::string handle;
    appendVarint(handle, file.size());
    appendVarint(handle, contents.size());
    const std::string typed = contents + char(0);
    file += typed;
    appendFixed32(file, maskCrc32c(crc32c(typed)));
    return handle;
}

std::string levelDbTable(const std::map<std::string, std::string>& entries, int restartInterval, size_t blockBytes)
{
    std::string file;
    BlockBuilder index(1);
    BlockBuilder data(restartInterval);
    const auto flush = [&] {
        index.add(data.lastKey(), appendBlock(file, data.finish()));
        data = BlockBuilder(restartInterval);
    };
    for (const auto& [key, value] : entries) {
        data.add(key, value);
        if (data.size() >= blockBytes)
            flush();
    }
    if (!data.empty())
        flush();
    const uint64_t metaOffset = file.size();
    appendBlock(file, BlockBuilder(restartInterval).finish());
    const uint64_t indexOffset = file.size();
    const std::string indexBlock = index.finish();
    appendBlock(file, indexBlock);
    return file + levelDbFooter(metaOffset, 8, indexOffset, indexBlock.size());
}

} // namespace

std::string levelDbFooter(uint64_t metaindexOffset, uint64_t metaindexSize, uint64_t indexOffset, uint64_t indexSize)
{
    std::string footer;
    appendVarint(footer, metaindexOffset);
    appendVarint(footer, metaindexSize);
    appendVarint(footer, indexOffset);
    appendVarint(footer, indexSize);
    footer.resize(kLevelDbFooterBytes - 8, '\0');
    appendFixed64(footer, kLevelDbTableMagic);
    return footer;
}

void TfCheckpointWriter::add(const std::string& name, const torch::Tensor& value)
{
    variables_.emplace_back(name, value.detach().to(torch::kFloat).contiguous());
}

uint64_t TfCheckpointWriter::write(const std::string& prefix) const
{
    std::string data;
    std::map<std::string, std::string> entries{{"", bundleHeader()}};
    for (const auto& [name, t] : variables_) {
        const std::string bytes(static_cast<const char*>(t.data_ptr()), size_t(t.numel()) * 4);
        const auto claimed = claimedOffsets_.find(name);
        const uint64_t offset = claimed == claimedOffsets_.end() ? data.size() : claimed->second;
        entries[name] = bundleEntry(t, offset, bytes.size(), maskCrc32c(crc32c(bytes)));
        data += bytes;
    }
    writeFileAtomic(prefix + ".index", levelDbTable(entries, restartInterval, blockBytes));
    writeFileAtomic(prefix + ".data-00000-of-00001", data);
    return data.size();
}

} // namespace sft::test
