#pragma once
// The JSON files beside weights that say what model they hold: Hugging Face's config.json,
// OpenAI's hparams.json, or the book's GPT_CONFIG written out. Errors name the file.

#include "core/model/gpt_config.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sft {

// IoError when the file cannot be read, WeightsError when it is not JSON.
nlohmann::json readJsonFile(const std::string& path);
// WeightsError naming the file when it is not a valid GPT-2 config.
GptConfig readGptConfigFile(const std::string& path);

} // namespace sft
