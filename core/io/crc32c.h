#pragma once
// CRC-32C (Castagnoli), the checksum of LevelDB tables and TensorFlow checkpoints, which store
// it "masked" so that a checksum of data that itself holds checksums stays well-distributed.

#include <cstdint>
#include <string_view>

namespace sft {

uint32_t crc32c(std::string_view bytes, uint32_t start = 0); // start: to extend an earlier crc
uint32_t maskCrc32c(uint32_t crc);

} // namespace sft
