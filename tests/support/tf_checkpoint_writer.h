#pragma once
// Writes a TensorFlow V2 checkpoint as TensorFlow's BundleWriter does, built here from the
// formats' published rules rather than from the reader under test: PREFIX.index is a LevelDB
// table (prefix-compressed entries with restart points, data blocks each followed by a type
// byte and masked CRC-32C, an index block of their handles, an empty metaindex block and the
// 48-byte footer with the magic number); its first entry, under the empty key, is the
// BundleHeaderProto, then one BundleEntryProto per variable in key order. The data file holds
// the raw float32 bytes, in the order the variables were added.

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sft::test {

class TfCheckpointWriter {
public:
    void add(const std::string& name, const torch::Tensor& value); // stored as float32
    // Makes the index claim this data offset for the variable, as a damaged index would.
    void claimOffset(const std::string& name, uint64_t offset) { claimedOffsets_[name] = offset; }
    // Writes PREFIX.index and PREFIX.data-00000-of-00001; returns the data file's size.
    uint64_t write(const std::string& prefix) const;

    // Small, so that a test table has several data blocks and several restart points in each.
    int restartInterval = 3;
    size_t blockBytes = 200;

private:
    std::vector<std::pair<std::string, torch::Tensor>> variables_;
    std::map<std::string, uint64_t> claimedOffsets_;
};

// The 48-byte footer of a LevelDB table pointing at these blocks.
std::string levelDbFooter(uint64_t metaindexOffset, uint64_t metaindexSize, uint64_t indexOffset, uint64_t indexSize);

} // namespace sft::test
