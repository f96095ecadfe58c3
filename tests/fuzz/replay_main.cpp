// Runs a fuzz target over given inputs without libFuzzer, so that any compiler builds the targets
// and CTest replays their corpora: every file named, and every file under a folder named. A crash,
// or an exception the target lets through, fails the run; naming a path that is not there too.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputsUnder(const fs::path& path)
{
    if (!fs::is_directory(path))
        return {path};
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::recursive_directory_iterator(path))
        if (entry.is_regular_file())
            files.push_back(entry.path());
    return files;
}

std::string readBytes(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

int main(int argc, char** argv)
{
    size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        if (!fs::exists(argv[i])) {
            std::cerr << "replay: " << argv[i] << " does not exist\n";
            return 2;
        }
        for (const fs::path& file : inputsUnder(argv[i])) {
            // Printed before the run, so that the input a crash came from is the last line.
            std::cout << "replay: " << file.string() << std::endl;
            const std::string bytes = readBytes(file);
            LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
            ++count;
        }
    }
    std::cout << "replay: " << count << " inputs, no crash\n";
    return 0;
}
