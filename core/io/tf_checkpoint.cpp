#include "core/io/tf_checkpoint.h"

#include "core/io/byte_reader.h"
#include "core/io/crc32c.h"
#include "core/io/leveldb_table.h"
#include "core/io/weight_source.h"
#include "core/util/error.h"

#include <QFile>

#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace sft {

namespace {

// Protobuf wire types.
constexpr uint32_t kVarint = 0;
constexpr uint32_t kFixed64 = 1;
constexpr uint32_t kLengthDelimited = 2;
constexpr uint32_t kFixed32 = 5;

struct BundleHeader {
    int64_t shards = 1;
    int64_t endianness = 0; // 0: little
};

struct BundleEntry {
    int64_t dtype = 0;
    std::vector<int64_t> shape;
    int64_t shard = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
    uint32_t crc = 0;
    bool sliced = false;
};

struct DtypeInfo {
    int64_t tf;
    torch::ScalarType type;
    uint64_t bytes;
};

// TensorFlow's DataType numbers (types.proto).
constexpr DtypeInfo kDtypes[] = {
    {1, torch::kFloat, 4}, {2, torch::kDouble, 8}, {3, torch::kInt, 4},
    {9, torch::kLong, 8},  {14, torch::kBFloat16, 2}, {19, torch::kHalf, 2},
};

// Calls onField(field number, wire type, reader) for each field; skips the ones it leaves.
template <typename OnField>
void readMessage(std::string_view bytes, const std::string& where, OnField onField)
{
    ByteReader reader(bytes, where);
    while (!reader.atEnd()) {
        const uint64_t tag = reader.varint64("field tag");
        const auto field = uint32_t(tag >> 3), wire = uint32_t(tag & 7);
        const size_t before = reader.position();
        onField(field, wire, reader);
        if (reader.position() != before)
            continue;
        switch (wire) {
        case kVarint: reader.varint64("field value"); break;
        case kFixed64: reader.take(8, "field value"); break;
        case kLengthDelimited: reader.take(reader.varint64("field length"), "field value"); break;
        case kFixed32: reader.take(4, "field value"); break;
        default: reader.fail("unknown protobuf wire type " + std::to_string(wire));
        }
    }
}

int64_t signedVarint(ByteReader& reader, const char* what) { return int64_t(reader.varint64(what)); }

std::string_view message(ByteReader& reader, const char* what) { return reader.take(reader.varint64(what), what); }

BundleHeader parseHeader(std::string_view bytes, const std::string& where)
{
    BundleHeader header;
    readMessage(bytes, where, [&](uint32_t field, uint32_t wire, ByteReader& r) {
        if (field == 1 && wire == kVarint)
            header.shards = signedVarint(r, "num_shards");
        else if (field == 2 && wire == kVarint)
            header.endianness = signedVarint(r, "endianness");
    });
    return header;
}

std::vector<int64_t> parseShape(std::string_view bytes, const std::string& where)
{
    std::vector<int64_t> dims;
    readMessage(bytes, where, [&](uint32_t field, uint32_t wire, ByteReader& r) {
        if (field == 2 && wire == kLengthDelimited) {
            int64_t size = 0;
            readMessage(message(r, "dim"), where, [&](uint32_t f, uint32_t w, ByteReader& d) {
                if (f == 1 && w == kVarint)
                    size = signedVarint(d, "dim size");
            });
            dims.push_back(size);
        } else if (field == 3 && wire == kVarint && r.varint64("unknown_rank") != 0) {
            r.fail("the shape has an unknown rank");
        }
    });
    return dims;
}

BundleEntry parseEntry(std::string_view bytes, const std::string& where)
{
    BundleEntry e;
    readMessage(bytes, where, [&](uint32_t field, uint32_t wire, ByteReader& r) {
        if (field == 1 && wire == kVarint)
            e.dtype = signedVarint(r, "dtype");
        else if (field == 2 && wire == kLengthDelimited)
            e.shape = parseShape(message(r, "shape"), where);
        else if (field == 3 && wire == kVarint)
            e.shard = signedVarint(r, "shard_id");
        else if (field == 4 && wire == kVarint)
            e.offset = r.varint64("offset");
        else if (field == 5 && wire == kVarint)
            e.size = r.varint64("size");
        else if (field == 6 && wire == kFixed32)
            e.crc = r.fixed32("crc32c");
        else if (field == 7 && wire == kLengthDelimited)
            e.sliced = true;
    });
    return e;
}

std::string dataFileName(const std::string& prefix, int64_t shard, int64_t shards)
{
    char suffix[64];
    std::snprintf(suffix, sizeof suffix, ".data-%05lld-of-%05lld", (long long)shard, (long long)shards);
    return prefix + suffix;
}

// The data files, each mapped on first use, so that a multi-GB checkpoint is not read twice.
class DataShards {
public:
    DataShards(std::string prefix, int64_t count) : prefix_(std::move(prefix)), shards_(size_t(count)) {}

    std::string name(int64_t shard) const { return dataFileName(prefix_, shard, int64_t(shards_.size())); }

    std::string_view bytes(int64_t shard)
    {
        Shard& s = shards_[size_t(shard)];
        if (!s.file) {
            s.file = std::make_unique<QFile>(QString::fromStdString(name(shard)));
            if (!s.file->open(QIODevice::ReadOnly))
                throw WeightsError("cannot read " + name(shard) + ", the data of checkpoint " + prefix_ + ": " +
                                   s.file->errorString().toStdString());
            const qint64 size = s.file->size();
            const uchar* mapped = size > 0 ? s.file->map(0, size) : nullptr;
            if (size > 0 && !mapped)
                throw IoError("cannot map " + name(shard) + " into memory: " + s.file->errorString().toStdString());
            s.bytes = {reinterpret_cast<const char*>(mapped), size_t(size)};
        }
        return s.bytes;
    }

private:
    struct Shard {
        std::unique_ptr<QFile> file;
        std::string_view bytes;
    };
    std::string prefix_;
    std::vector<Shard> shards_;
};

class CheckpointReader {
public:
    explicit CheckpointReader(const std::string& prefix) : prefix_(prefix), indexName_(prefix + ".index") {}

    TensorMap read()
    {
        QFile index(QString::fromStdString(indexName_));
        if (!index.open(QIODevice::ReadOnly))
            throw WeightsError("cannot read " + indexName_ + ", the index of checkpoint " + prefix_ + ": " +
                               index.errorString().toStdString());
        const QByteArray bytes = index.readAll();
        const std::vector<TableEntry> entries =
            readLevelDbTable(std::string_view(bytes.constData(), size_t(bytes.size())), indexName_);
        if (entries.empty() || !entries.front().key.empty())
            throw WeightsError(indexName_ + " has no bundle header under the empty key; it is not a TensorFlow "
                                            "V2 checkpoint index");
        const BundleHeader header = checkedHeader(entries.front().value);
        DataShards shards(prefix_, header.shards);
        TensorMap tensors;
        for (size_t i = 1; i < entries.size(); ++i)
            tensors.emplace(entries[i].key, tensor(entries[i], header, shards));
        return tensors;
    }

private:
    BundleHeader checkedHeader(const std::string& bytes) const
    {
        const BundleHeader header = parseHeader(bytes, indexName_ + ", bundle header");
        if (header.shards < 1 || header.shards > 99999)
            throw WeightsError(indexName_ + ": the bundle header gives " + std::to_string(header.shards) +
                               " data shards");
        if (header.endianness != 0)
            throw WeightsError(indexName_ + ": the checkpoint was written big-endian; only little-endian "
                                            "checkpoints are read");
        return header;
    }

    [[noreturn]] void fail(const std::string& file, const std::string& variable, const std::string& why) const
    {
        throw WeightsError(file + ", variable '" + variable + "': " + why);
    }

    const DtypeInfo& dtypeOf(const BundleEntry& e, const std::string& variable) const
    {
        for (const DtypeInfo& d : kDtypes)
            if (d.tf == e.dtype)
                return d;
        fail(indexName_, variable, "TensorFlow dtype " + std::to_string(e.dtype) + " is not a numeric type this "
                                   "reader takes (float, double, half, bfloat16, int32, int64)");
    }

    uint64_t checkedByteCount(const BundleEntry& e, const DtypeInfo& dtype, const std::string& variable) const
    {
        uint64_t count = dtype.bytes;
        for (const int64_t dim : e.shape) {
            if (dim < 0 || (dim > 0 && count > e.size / uint64_t(dim)))
                fail(indexName_, variable, "shape " + shapeText(e.shape) + " does not fit its " +
                                               std::to_string(e.size) + " bytes");
            count *= uint64_t(dim);
        }
        if (count != e.size)
            fail(indexName_, variable, "shape " + shapeText(e.shape) + " needs " + std::to_string(count) +
                                           " bytes, the index says " + std::to_string(e.size));
        return count;
    }

    torch::Tensor tensor(const TableEntry& entry, const BundleHeader& header, DataShards& shards) const
    {
        const std::string& variable = entry.key;
        const BundleEntry e = parseEntry(entry.value, indexName_ + ", entry '" + variable + "'");
        if (e.sliced)
            fail(indexName_, variable, "it is stored in slices (a partitioned variable), which this reader "
                                       "does not join");
        if (e.shard < 0 || e.shard >= header.shards)
            fail(indexName_, variable, "it names data shard " + std::to_string(e.shard) + " of " +
                                           std::to_string(header.shards));
        const DtypeInfo& dtype = dtypeOf(e, variable);
        const uint64_t bytes = checkedByteCount(e, dtype, variable);
        const std::string_view data = shards.bytes(e.shard);
        if (e.offset > data.size() || bytes > data.size() - e.offset)
            fail(shards.name(e.shard), variable,
                 "its " + std::to_string(bytes) + " bytes at offset " + std::to_string(e.offset) +
                     " lie past the end of the " + std::to_string(data.size()) + "-byte file (truncated download?)");
        const std::string_view raw = data.substr(size_t(e.offset), size_t(bytes));
        if (maskCrc32c(crc32c(raw)) != e.crc)
            fail(shards.name(e.shard), variable, "its bytes fail their checksum (damaged file)");
        torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(dtype.type));
        if (bytes > 0)
            std::memcpy(t.data_ptr(), raw.data(), raw.size());
        return t;
    }

    std::string prefix_;
    std::string indexName_;
};

} // namespace

TensorMap readTfCheckpoint(const std::string& prefix) { return CheckpointReader(prefix).read(); }

} // namespace sft
