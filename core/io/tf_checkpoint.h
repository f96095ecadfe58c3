#pragma once
// A TensorFlow V2 checkpoint ("tensor bundle"), read without TensorFlow. PREFIX.index is a
// LevelDB table: under the empty key a BundleHeaderProto (shard count, endianness), under each
// variable's name a BundleEntryProto (dtype, shape, shard, offset, size, masked crc32c).
// PREFIX.data-0000S-of-0000N hold the raw little-endian tensor bytes at those offsets. Every
// offset, length and checksum is checked against the files; damage is a WeightsError naming the
// file and the variable.

#include "core/io/safetensors.h"

#include <string>

namespace sft {

// Float32, float64, float16, bfloat16, int32 and int64 variables; others are refused by name.
TensorMap readTfCheckpoint(const std::string& prefix);

} // namespace sft
