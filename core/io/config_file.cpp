#include "core/io/config_file.h"

#include "core/util/error.h"
#include "core/util/files.h"

namespace sft {

nlohmann::json readJsonFile(const std::string& path)
{
    const std::string text = readFile(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw WeightsError(path + " is not valid JSON: " + e.what());
    }
}

GptConfig readGptConfigFile(const std::string& path)
{
    const nlohmann::json j = readJsonFile(path);
    try {
        return GptConfig::fromHfJson(j);
    } catch (const WeightsError& e) {
        throw WeightsError(path + ": " + e.what());
    }
}

} // namespace sft
