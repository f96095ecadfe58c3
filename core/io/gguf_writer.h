#pragma once
// GGUF version 3, the file format of ggml (llama.cpp, Ollama, LM Studio): "GGUF", the version,
// the tensor and metadata counts, typed key/value metadata, one description per tensor (name,
// dimensions innermost first, ggml type, offset), then the tensor data, each piece starting at
// a multiple of 32 bytes. All numbers are little-endian.

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sft {

enum class GgmlType : uint32_t { F32 = 0, F16 = 1 };

class GgufWriter {
public:
    static constexpr uint64_t kAlignment = 32;

    void addUint32(const std::string& key, uint32_t value);
    void addFloat32(const std::string& key, float value);
    void addBool(const std::string& key, bool value);
    void addString(const std::string& key, const std::string& value);
    void addStringArray(const std::string& key, const std::vector<std::string>& values);
    void addInt32Array(const std::string& key, const std::vector<int32_t>& values);

    // A row-major tensor of any floating type, stored as `type`. ggml lists dimensions innermost
    // first, so a [rows, columns] matrix is described as {columns, rows}. The tensor is converted
    // only when written, one at a time.
    void addTensor(const std::string& name, const torch::Tensor& tensor, GgmlType type);

    // Writes atomically (temporary file + rename); IoError when it cannot.
    void write(const std::string& path) const;

private:
    struct Tensor {
        std::string name;
        torch::Tensor data;
        GgmlType type;
    };
    void addKey(const std::string& key, uint32_t valueType);
    std::string header() const;

    std::string metadata_;
    uint64_t metadataCount_ = 0;
    std::vector<Tensor> tensors_;
};

} // namespace sft
