#include "core/train/settings_diff.h"

namespace sft {

namespace {

void flattenInto(const nlohmann::json& value, const std::string& key, std::map<std::string, nlohmann::json>& out)
{
    if (value.is_object() && !value.empty()) {
        for (const auto& [name, child] : value.items())
            flattenInto(child, key.empty() ? name : key + "." + name, out);
    } else if (value.is_array() && !value.empty()) {
        for (size_t i = 0; i < value.size(); ++i)
            flattenInto(value[i], key + "[" + std::to_string(i) + "]", out);
    } else {
        out[key] = value;
    }
}

std::optional<nlohmann::json> find(const std::map<std::string, nlohmann::json>& flat, const std::string& key)
{
    const auto it = flat.find(key);
    return it == flat.end() ? std::nullopt : std::optional<nlohmann::json>(it->second);
}

} // namespace

std::map<std::string, nlohmann::json> flattenSettings(const nlohmann::json& doc)
{
    std::map<std::string, nlohmann::json> out;
    flattenInto(doc, "", out);
    return out;
}

std::vector<SettingDifference> diffSettings(const nlohmann::json& a, const nlohmann::json& b)
{
    const auto flatA = flattenSettings(a), flatB = flattenSettings(b);
    std::map<std::string, SettingDifference> differences;
    for (const auto& [key, value] : flatA) {
        const std::optional<nlohmann::json> other = find(flatB, key);
        if (!other || *other != value)
            differences[key] = {key, value, other};
    }
    for (const auto& [key, value] : flatB) {
        if (!flatA.count(key))
            differences[key] = {key, std::nullopt, value};
    }
    std::vector<SettingDifference> out;
    for (auto& [key, difference] : differences)
        out.push_back(std::move(difference));
    return out;
}

} // namespace sft
