#include "core/generate/answer_keys.h"

#include <algorithm>

namespace sft {

std::vector<std::string> answerKeys(const Dataset& dataset)
{
    if (dataset.entries.empty())
        return {};
    std::vector<std::string> keys;
    for (const auto& item : dataset.entries.front().source.items()) {
        // Not a structured binding: C++17 lambdas cannot capture one (GCC allows it, Clang does not).
        const std::string& key = item.key();
        const nlohmann::json& value = item.value();
        if (key == "instruction" || key == "input" || key == "output" || !value.is_string())
            continue;
        const bool everywhere = std::all_of(dataset.entries.begin(), dataset.entries.end(), [&](const Entry& e) {
            const auto it = e.source.find(key);
            return it != e.source.end() && it->is_string();
        });
        if (everywhere)
            keys.push_back(key);
    }
    std::stable_partition(keys.begin(), keys.end(), [](const std::string& k) { return k == "model_response"; });
    return keys;
}

} // namespace sft
