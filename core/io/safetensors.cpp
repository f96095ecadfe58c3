#include "core/io/safetensors.h"

#include "core/io/mapping_guard.h"
#include "core/util/error.h"

#include <QFile>
#include <QSaveFile>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

namespace sft {

namespace {

// The reference implementation refuses headers above 100 MB; a real one is a few hundred KB.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeInfo {
    const char* name;
    torch::ScalarType type;
    uint64_t bytes;
};

constexpr DtypeInfo kDtypes[] = {
    {"F32", torch::kFloat, 4}, {"F16", torch::kHalf, 2}, {"BF16", torch::kBFloat16, 2},
    {"F64", torch::kDouble, 8}, {"I64", torch::kLong, 8}, {"I32", torch::kInt, 4},
    {"I16", torch::kShort, 2}, {"I8", torch::kChar, 1},  {"U8", torch::kByte, 1},
    {"BOOL", torch::kBool, 1},
};

const DtypeInfo* dtypeByName(const std::string& name)
{
    for (const DtypeInfo& d : kDtypes)
        if (name == d.name)
            return &d;
    return nullptr;
}

const DtypeInfo& dtypeOf(torch::ScalarType type, const std::string& tensorName)
{
    for (const DtypeInfo& d : kDtypes)
        if (type == d.type)
            return d;
    throw WeightsError("tensor '" + tensorName + "' has type " + std::string(c10::toString(type)) +
                       ", which safetensors cannot store");
}

uint64_t readLittleEndian64(const unsigned char* p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

// One tensor's header entry, checked against the data section.
struct Entry {
    std::string name;
    const DtypeInfo* dtype;
    std::vector<int64_t> shape;
    uint64_t begin;
    uint64_t end;
};

class Parser {
public:
    // mapping: when given, the tensors are views of `data`, each holding the mapping; else copies.
    Parser(const unsigned char* data, uint64_t size, std::string file, std::shared_ptr<const void> mapping = {})
        : data_(data), size_(size), file_(std::move(file)), mapping_(std::move(mapping))
    {
    }

    SafetensorsFile parse()
    {
        if (size_ < 8)
            fail("it has " + std::to_string(size_) + " bytes, fewer than the 8-byte header length");
        const uint64_t headerBytes = readLittleEndian64(data_);
        if (headerBytes > size_ - 8)
            fail("the header length " + std::to_string(headerBytes) + " runs past the end of the " +
                 std::to_string(size_) + "-byte file (truncated download?)");
        if (headerBytes > kMaxHeaderBytes)
            fail("the header length " + std::to_string(headerBytes) + " is absurdly large");
        dataStart_ = 8 + headerBytes;
        const nlohmann::json header = parseHeader(headerBytes);

        SafetensorsFile out;
        std::vector<Entry> entries;
        for (auto it = header.begin(); it != header.end(); ++it) {
            if (it.key() == "__metadata__")
                out.metadata = parseMetadata(it.value());
            else
                entries.push_back(parseEntry(it.key(), it.value()));
        }
        checkNoOverlap(entries);
        for (const Entry& e : entries)
            out.tensors.emplace(e.name, toTensor(e));
        return out;
    }

private:
    [[noreturn]] void fail(const std::string& why, const std::string& tensor = {}) const
    {
        const std::string where = tensor.empty() ? file_ : file_ + ", tensor '" + tensor + "'";
        throw WeightsError("not a valid safetensors file (" + where + "): " + why);
    }

    nlohmann::json parseHeader(uint64_t headerBytes) const
    {
        nlohmann::json header;
        try {
            header = nlohmann::json::parse(data_ + 8, data_ + 8 + headerBytes);
        } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number like 1e999
            fail(std::string("the header is not JSON: ") + e.what());
        }
        if (!header.is_object())
            fail("the header is a JSON " + std::string(header.type_name()) + ", not an object");
        return header;
    }

    std::map<std::string, std::string> parseMetadata(const nlohmann::json& j) const
    {
        if (!j.is_object())
            fail("__metadata__ is not an object");
        std::map<std::string, std::string> metadata;
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (!it.value().is_string())
                fail("__metadata__ value '" + it.key() + "' is not a string");
            metadata[it.key()] = it.value().get<std::string>();
        }
        return metadata;
    }

    uint64_t unsignedField(const nlohmann::json& v, const std::string& what, const std::string& tensor) const
    {
        if (!v.is_number_unsigned())
            fail(what + " must be a non-negative integer, not " + v.dump(), tensor);
        return v.get<uint64_t>();
    }

    Entry parseEntry(const std::string& name, const nlohmann::json& j) const
    {
        if (!j.is_object())
            fail("the entry is not an object", name);
        for (const char* field : {"dtype", "shape", "data_offsets"})
            if (!j.contains(field))
                fail(std::string("the entry has no '") + field + "'", name);
        const nlohmann::json& dtype = j["dtype"];
        const nlohmann::json& shape = j["shape"];
        const nlohmann::json& offsets = j["data_offsets"];
        Entry e{name, nullptr, {}, 0, 0};
        if (!dtype.is_string() || !(e.dtype = dtypeByName(dtype.get<std::string>())))
            fail("unsupported dtype " + dtype.dump(), name);
        if (!shape.is_array())
            fail("shape is not an array", name);
        if (!offsets.is_array() || offsets.size() != 2)
            fail("data_offsets must be [begin, end]", name);
        e.begin = unsignedField(offsets[0], "data offset", name);
        e.end = unsignedField(offsets[1], "data offset", name);
        if (e.begin > e.end)
            fail("data_offsets begin " + std::to_string(e.begin) + " is after end " + std::to_string(e.end), name);
        if (e.end > size_ - dataStart_)
            fail("data_offsets end " + std::to_string(e.end) + " is past the " + std::to_string(size_ - dataStart_) +
                     "-byte data section (truncated file?)",
                 name);
        // The span is within the file, so a product larger than it is wrong before it can overflow.
        uint64_t bytes = e.dtype->bytes;
        bool tooLarge = false;
        for (const nlohmann::json& dim : shape) {
            const uint64_t n = unsignedField(dim, "a shape dimension", name);
            if (n > uint64_t(std::numeric_limits<int64_t>::max()))
                fail("a shape dimension is too large", name);
            e.shape.push_back(int64_t(n));
            if (n != 0 && bytes > (e.end - e.begin) / n)
                tooLarge = true;
            bytes = tooLarge ? bytes : bytes * n;
        }
        if (tooLarge || bytes != e.end - e.begin)
            fail("shape " + shape.dump() + " of " + e.dtype->name + " does not fill data_offsets [" +
                     std::to_string(e.begin) + ", " + std::to_string(e.end) + "]",
                 name);
        return e;
    }

    void checkNoOverlap(std::vector<Entry>& entries) const
    {
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
            return std::make_pair(a.begin, a.end) < std::make_pair(b.begin, b.end);
        });
        for (size_t i = 1; i < entries.size(); ++i)
            if (entries[i].begin < entries[i - 1].end)
                fail("its data overlaps tensor '" + entries[i - 1].name + "'", entries[i].name);
    }

    torch::Tensor toTensor(const Entry& e) const
    {
        const unsigned char* src = data_ + dataStart_ + e.begin;
        const uint64_t bytes = e.end - e.begin;
        if (e.dtype->type == torch::kBool && std::any_of(src, src + bytes, [](unsigned char b) { return b > 1; }))
            fail("a BOOL value is neither 0 nor 1", e.name);
        const auto options = torch::TensorOptions().dtype(e.dtype->type);
        if (mapping_ && bytes > 0)
            return torch::from_blob(const_cast<unsigned char*>(src), e.shape, [keep = mapping_](void*) {}, options);
        torch::Tensor t = torch::empty(e.shape, options);
        if (bytes > 0)
            std::memcpy(t.data_ptr(), src, bytes);
        return t;
    }

    const unsigned char* data_;
    uint64_t size_;
    std::string file_;
    std::shared_ptr<const void> mapping_;
    uint64_t dataStart_ = 0;
};

std::string paddedHeader(const TensorMap& tensors, const std::map<std::string, std::string>& metadata,
                         std::vector<torch::Tensor>& contiguous)
{
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const auto& [name, tensor] : tensors) {
        const DtypeInfo& dtype = dtypeOf(tensor.scalar_type(), name);
        contiguous.push_back(tensor.detach().to(torch::kCPU).contiguous());
        const uint64_t bytes = uint64_t(tensor.numel()) * dtype.bytes;
        header[name] = {{"dtype", dtype.name}, {"shape", tensor.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    // Readers may map the data section and use it in place, so it starts 8-byte aligned.
    text.append((8 - text.size() % 8) % 8, ' ');
    return text;
}

} // namespace

SafetensorsFile parseSafetensors(const std::string& bytes, const std::string& nameForErrors)
{
    return Parser(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nameForErrors).parse();
}

SafetensorsFile readSafetensors(const std::string& path)
{
    // The tensors are views of the file's pages, mapped copy-on-write: loading a model copies each
    // weight at most once, from the page cache into its parameter, instead of through a copy of
    // the file. The mapping is guarded (mapping_guard.h) for as long as a tensor uses it.
    struct GuardedMapping {
        QFile file;
        std::unique_ptr<MappingGuard> guard; // destroyed first, before the file unmaps
    };
    auto mapping = std::make_shared<GuardedMapping>();
    mapping->file.setFileName(QString::fromStdString(path));
    if (!mapping->file.open(QIODevice::ReadOnly))
        throw IoError("cannot read " + path + ": " + mapping->file.errorString().toStdString());
    const qint64 size = mapping->file.size();
    if (size == 0)
        return Parser(nullptr, 0, path).parse();
    const uchar* mapped = mapping->file.map(0, size, QFileDevice::MapPrivateOption);
    if (!mapped)
        throw IoError("cannot map " + path + " into memory: " + mapping->file.errorString().toStdString());
    mapping->guard = std::make_unique<MappingGuard>(mapped, size_t(size), path);
    return Parser(mapped, uint64_t(size), path, mapping).parse();
}

void writeSafetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata)
{
    std::vector<torch::Tensor> contiguous;
    const std::string header = paddedHeader(tensors, metadata, contiguous);
    QSaveFile file(QString::fromStdString(path));
    const auto write = [&](const void* data, uint64_t bytes) {
        if (file.write(static_cast<const char*>(data), qint64(bytes)) != qint64(bytes))
            throw IoError("cannot write " + path + ": " + file.errorString().toStdString());
    };
    if (!file.open(QIODevice::WriteOnly))
        throw IoError("cannot write " + path + ": " + file.errorString().toStdString());
    unsigned char length[8];
    for (int i = 0; i < 8; ++i)
        length[i] = static_cast<unsigned char>(uint64_t(header.size()) >> (8 * i));
    write(length, 8);
    write(header.data(), header.size());
    for (const torch::Tensor& t : contiguous)
        write(t.data_ptr(), uint64_t(t.numel()) * t.element_size());
    if (!file.commit())
        throw IoError("cannot write " + path + ": " + file.errorString().toStdString());
}

} // namespace sft
