#include "core/train/version_text.h"

#include "core/train/run_directory.h"

namespace sft {

std::string versionText()
{
    const nlohmann::json env = environmentInfo();
    return "SFT Studio " + env["sft_studio"].get<std::string>() + " (commit " + env["commit"].get<std::string>() + ")\n" +
           "LibTorch " + env["libtorch"].get<std::string>() + "\n" +
           "Qt " + env["qt"].get<std::string>() + "\n" +
           "BLAS " + env["blas"].get<std::string>() + "\n" +
           "Threads " + std::to_string(env["threads"].get<int>()) + "\n";
}

} // namespace sft
