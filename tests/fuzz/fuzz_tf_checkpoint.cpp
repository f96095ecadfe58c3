// The TensorFlow checkpoint reader on any pair of files: a WeightsError (or an IoError from the
// file system) or tensors, never a crash or another exception. The reader takes a file prefix, so
// the input is written as PREFIX.index and PREFIX.data-00000-of-00001: a little-endian u32 gives
// the index's length, the index's bytes follow, the rest is the data file. Blocks and tensors
// carry CRC-32C checksums; libFuzzer's comparison tracing finds the values they are checked
// against, and the seeds are real checkpoints whose checksums hold.

#include "core/io/tf_checkpoint.h"
#include "core/util/error.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace {

namespace fs = std::filesystem;

// A folder of this process's own, removed at exit. In memory where there is /dev/shm: on a disk,
// writing the two files takes twenty times as long as reading them back.
class ScratchFolder {
public:
    ScratchFolder()
    {
        const fs::path parent = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        std::string pattern = (parent / "sft-fuzz-tf-XXXXXX").string();
        if (!mkdtemp(pattern.data()))
            std::abort();
        path_ = pattern;
    }
    ~ScratchFolder()
    {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

void writeBytes(const fs::path& file, std::string_view bytes)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const ScratchFolder scratch;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    uint32_t indexLength = 0;
    for (size_t i = 0; i < 4 && i < input.size(); ++i)
        indexLength |= uint32_t(uint8_t(input[i])) << (8 * i);
    input.remove_prefix(std::min<size_t>(4, input.size()));
    const size_t split = std::min<size_t>(indexLength, input.size());
    const std::string prefix = (scratch.path() / "model.ckpt").string();
    writeBytes(prefix + ".index", input.substr(0, split));
    writeBytes(prefix + ".data-00000-of-00001", input.substr(split));
    try {
        sft::readTfCheckpoint(prefix);
    } catch (const sft::WeightsError&) {
    } catch (const sft::IoError&) {
    }
    return 0;
}
