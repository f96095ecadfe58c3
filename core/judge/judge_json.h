#pragma once
// Lenient field access for server replies: servers omit zero-valued and empty fields, so a
// missing or mistyped field reads as empty instead of throwing from deep inside a stream.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace sft {

inline std::string stringField(const nlohmann::json& object, const char* key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline int64_t integerField(const nlohmann::json& object, const char* key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_number() ? it->get<int64_t>() : 0;
}

inline bool boolField(const nlohmann::json& object, const char* key)
{
    const auto it = object.find(key);
    return it != object.end() && it->is_boolean() && it->get<bool>();
}

} // namespace sft
