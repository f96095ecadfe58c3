#include "core/train/run_products.h"

#include "core/util/files.h"

#include <filesystem>

namespace sft {

namespace {

namespace fs = std::filesystem;

std::string fileNamePart(const std::string& text)
{
    std::string out;
    bool replacing = false; // a run of unsafe characters becomes one '_'
    for (char c : text) {
        const bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                          c == '_' || c == '+' || c == '-';
        if (safe)
            out += c;
        else if (!replacing)
            out += '_';
        replacing = !safe;
    }
    return out;
}

// The checkpoint a run's responses file answers for ("final" of responses-final.json); the file's
// stem for any other name.
std::string answersName(const std::string& responsesPath)
{
    std::string stem = fs::path(responsesPath).stem().string();
    const std::string prefix = "responses-";
    return stem.rfind(prefix, 0) == 0 && stem.size() > prefix.size() ? stem.substr(prefix.size()) : stem;
}

} // namespace

bool isRunFolder(const std::string& dir) { return !dir.empty() && fileExists(dir + "/run.json"); }

std::optional<std::string> runOfCheckpoint(const std::string& modelDir)
{
    const fs::path checkpoint = fs::path(modelDir).lexically_normal();
    const fs::path folder = checkpoint.has_filename() ? checkpoint : checkpoint.parent_path();
    const fs::path checkpoints = folder.parent_path();
    if (checkpoints.filename() != "checkpoints" || isRunFolder(folder.string()))
        return std::nullopt;
    const std::string run = checkpoints.parent_path().empty() ? "." : checkpoints.parent_path().string();
    return isRunFolder(run) ? std::optional<std::string>(run) : std::nullopt;
}

std::string responsesFileName(const std::string& checkpoint, const std::string& split)
{
    return "responses-" + checkpoint + (split == "test" ? "" : "-" + split) + ".json";
}

std::string scoresPathFor(const std::string& responsesPath, const std::string& responseKey,
                          const std::string& judgeModel, const std::string& promptName)
{
    std::string name = "scores-" + fileNamePart(answersName(responsesPath));
    if (responseKey != "model_response")
        name += "-" + fileNamePart(responseKey);
    name += "-" + fileNamePart(judgeModel) + "-" + fileNamePart(promptName) + ".json";
    return (fs::path(responsesPath).parent_path() / name).string();
}

} // namespace sft
