#pragma once
// The safetensors format: u64 little-endian header length, a JSON header of
// name -> {dtype, shape, data_offsets}, then the raw little-endian data. Reading is bounds-checked
// against the file: a truncated file or a lying header is a WeightsError, never a crash.

#include <torch/types.h>

#include <map>
#include <string>

namespace sft {

using TensorMap = std::map<std::string, torch::Tensor>;

struct SafetensorsFile {
    TensorMap tensors;                            // F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL
    std::map<std::string, std::string> metadata;  // the optional "__metadata__" entry
};

// The tensors read the file in place (views of a private mapping, which they keep until the
// last of them is gone). A program that shortens the file in place meanwhile takes the lost pages
// from under them: they read zeros there, and lostMappedPages() (mapping_guard.h) counts it.
SafetensorsFile readSafetensors(const std::string& path);
SafetensorsFile parseSafetensors(const std::string& bytes, const std::string& nameForErrors);
// Writes contiguous CPU copies of the tensors, atomically (temporary file + rename).
void writeSafetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});

} // namespace sft
