#pragma once
// Which settings runs differ in: run.json documents flattened to dotted keys and compared key by
// key, so that a comparison of two or more runs shows only what changed.

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sft {

// Every leaf of `doc` under a dotted key: {"a": {"b": 1}, "c": [2, 3]} gives a.b = 1, c[0] = 2,
// c[1] = 3. Scalars, and empty objects and arrays, are leaves; a scalar document has the key "".
std::map<std::string, nlohmann::json> flattenSettings(const nlohmann::json& doc);

struct SettingDifference {
    std::string key;
    std::vector<std::optional<nlohmann::json>> values; // one per document; nullopt: absent there
};

// The keys whose values are not the same in all the documents, absent in some included, sorted
// by key. Numbers compare by value (5 equals 5.0).
std::vector<SettingDifference> diffSettings(const std::vector<nlohmann::json>& documents);

} // namespace sft
