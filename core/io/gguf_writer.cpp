#include "core/io/gguf_writer.h"

#include "core/io/byte_reader.h"
#include "core/util/error.h"

#include <QSaveFile>

#include <torch/torch.h>

#include <cstring>

namespace sft {

namespace {

// gguf_type: the type of a metadata value.
enum : uint32_t { kUint32 = 4, kInt32 = 5, kFloat32 = 6, kBool = 7, kString = 8, kArray = 9 };

constexpr uint32_t kVersion = 3;

void appendString(std::string& out, const std::string& s)
{
    appendFixed64(out, s.size());
    out += s;
}

uint64_t elementBytes(GgmlType type) { return type == GgmlType::F32 ? 4 : 2; }

uint64_t padded(uint64_t size) { return (size + GgufWriter::kAlignment - 1) / GgufWriter::kAlignment * GgufWriter::kAlignment; }

torch::ScalarType torchType(GgmlType type) { return type == GgmlType::F32 ? torch::kFloat : torch::kHalf; }

} // namespace

void GgufWriter::addKey(const std::string& key, uint32_t valueType)
{
    appendString(metadata_, key);
    appendFixed32(metadata_, valueType);
    ++metadataCount_;
}

void GgufWriter::addUint32(const std::string& key, uint32_t value)
{
    addKey(key, kUint32);
    appendFixed32(metadata_, value);
}

void GgufWriter::addFloat32(const std::string& key, float value)
{
    addKey(key, kFloat32);
    uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    appendFixed32(metadata_, bits);
}

void GgufWriter::addBool(const std::string& key, bool value)
{
    addKey(key, kBool);
    metadata_ += char(value ? 1 : 0);
}

void GgufWriter::addString(const std::string& key, const std::string& value)
{
    addKey(key, kString);
    appendString(metadata_, value);
}

void GgufWriter::addStringArray(const std::string& key, const std::vector<std::string>& values)
{
    addKey(key, kArray);
    appendFixed32(metadata_, kString);
    appendFixed64(metadata_, values.size());
    for (const std::string& value : values)
        appendString(metadata_, value);
}

void GgufWriter::addInt32Array(const std::string& key, const std::vector<int32_t>& values)
{
    addKey(key, kArray);
    appendFixed32(metadata_, kInt32);
    appendFixed64(metadata_, values.size());
    for (const int32_t value : values)
        appendFixed32(metadata_, uint32_t(value));
}

void GgufWriter::addTensor(const std::string& name, const torch::Tensor& tensor, GgmlType type)
{
    tensors_.push_back({name, tensor.detach(), type});
}

std::string GgufWriter::header() const
{
    std::string out = "GGUF";
    appendFixed32(out, kVersion);
    appendFixed64(out, tensors_.size());
    appendFixed64(out, metadataCount_);
    out += metadata_;
    uint64_t offset = 0;
    for (const Tensor& t : tensors_) {
        appendString(out, t.name);
        appendFixed32(out, uint32_t(t.data.dim()));
        for (int64_t d = t.data.dim() - 1; d >= 0; --d)
            appendFixed64(out, uint64_t(t.data.size(d)));
        appendFixed32(out, uint32_t(t.type));
        appendFixed64(out, offset);
        offset += padded(uint64_t(t.data.numel()) * elementBytes(t.type));
    }
    out.resize(padded(out.size()), '\0');
    return out;
}

void GgufWriter::write(const std::string& path) const
{
    QSaveFile file(QString::fromStdString(path));
    const auto put = [&](const char* data, uint64_t bytes) {
        if (file.write(data, qint64(bytes)) != qint64(bytes))
            throw IoError("cannot write " + path + ": " + file.errorString().toStdString());
    };
    if (!file.open(QIODevice::WriteOnly))
        throw IoError("cannot write " + path + ": " + file.errorString().toStdString());
    const std::string head = header();
    put(head.data(), head.size());
    const std::string zeros(kAlignment, '\0');
    for (const Tensor& t : tensors_) {
        const torch::Tensor data = t.data.to(torch::kCPU, torchType(t.type)).contiguous();
        const uint64_t bytes = uint64_t(data.numel()) * elementBytes(t.type);
        put(static_cast<const char*>(data.data_ptr()), bytes);
        put(zeros.data(), padded(bytes) - bytes);
    }
    if (!file.commit())
        throw IoError("cannot write " + path + ": " + file.errorString().toStdString());
}

} // namespace sft
