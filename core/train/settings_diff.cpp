#include "core/train/settings_diff.h"

#include <algorithm>
#include <set>

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

std::vector<SettingDifference> diffSettings(const std::vector<nlohmann::json>& documents)
{
    std::vector<std::map<std::string, nlohmann::json>> flat;
    std::set<std::string> keys;
    for (const nlohmann::json& doc : documents) {
        flat.push_back(flattenSettings(doc));
        for (const auto& [key, value] : flat.back())
            keys.insert(key);
    }
    std::vector<SettingDifference> out;
    for (const std::string& key : keys) {
        SettingDifference d{key, {}};
        for (const auto& settings : flat)
            d.values.push_back(find(settings, key));
        if (std::any_of(d.values.begin(), d.values.end(), [&](const auto& v) { return v != d.values.front(); }))
            out.push_back(std::move(d));
    }
    return out;
}

} // namespace sft
