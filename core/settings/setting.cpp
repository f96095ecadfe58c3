#include "core/settings/setting.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace sft {

namespace {

std::string camelCase(const std::string& snake)
{
    std::string out;
    bool upper = false;
    for (char c : snake) {
        if (c == '_') {
            upper = true;
            continue;
        }
        out += upper ? char(std::toupper(static_cast<unsigned char>(c))) : c;
        upper = false;
    }
    return out;
}

std::string joined(const std::vector<std::string>& names)
{
    std::string text;
    for (size_t i = 0; i < names.size(); ++i)
        text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return text;
}

bool isChoice(const SettingInfo& s, const std::string& name)
{
    for (const std::string& c : s.choices)
        if (c == name)
            return true;
    return false;
}

std::string typeName(const nlohmann::json& value)
{
    return value.is_string() ? "text" : value.is_boolean() ? "true/false" : value.type_name();
}

} // namespace

SettingInfo setting(SettingKind kind, std::string key, std::string flag, std::string label, std::string help)
{
    SettingInfo s;
    s.kind = kind;
    s.widget = camelCase(key.substr(key.find_last_of('/') + 1));
    s.key = std::move(key);
    s.flag = std::move(flag);
    s.label = std::move(label);
    s.help = std::move(help);
    if (kind == SettingKind::Integer)
        s.valueName = "N";
    else if (kind == SettingKind::Real)
        s.valueName = "X";
    else if (kind != SettingKind::Switch)
        s.valueName = "NAME";
    return s;
}

std::vector<SettingInfo> settingsWithFlags(const std::vector<SettingInfo>& all, const std::vector<std::string>& flags)
{
    std::vector<SettingInfo> some;
    for (const SettingInfo& s : all)
        for (const std::string& flag : flags)
            if (s.flag == flag)
                some.push_back(s);
    return some;
}

const SettingInfo* findSetting(const std::vector<SettingInfo>& settings, const std::string& flag)
{
    for (const SettingInfo& s : settings)
        if (s.flag == flag)
            return &s;
    return nullptr;
}

SettingInfo& SettingInfo::range(double low, double high)
{
    min = low;
    max = high;
    return *this;
}
SettingInfo& SettingInfo::exclusive(bool low, bool high)
{
    minExclusive = low;
    maxExclusive = high;
    return *this;
}
SettingInfo& SettingInfo::oneOf(std::vector<std::string> names, std::vector<std::string> tips)
{
    choices = std::move(names);
    choiceHelp = std::move(tips);
    return *this;
}
SettingInfo& SettingInfo::placeholder(std::string name)
{
    valueName = std::move(name);
    return *this;
}
SettingInfo& SettingInfo::suffix(std::string text)
{
    unit = std::move(text);
    return *this;
}
SettingInfo& SettingInfo::optional(std::string meaningOfNone)
{
    noneText = std::move(meaningOfNone);
    return *this;
}
SettingInfo& SettingInfo::atMinimum(std::string meaning)
{
    minText = std::move(meaning);
    return *this;
}
SettingInfo& SettingInfo::under(std::string switchFlag)
{
    parent = std::move(switchFlag);
    return *this;
}
SettingInfo& SettingInfo::inGroup(std::string name)
{
    group = std::move(name);
    return *this;
}
SettingInfo& SettingInfo::named(std::string objectName)
{
    widget = std::move(objectName);
    return *this;
}
SettingInfo& SettingInfo::turnedOffByFlag()
{
    flagTurnsOff = true;
    return *this;
}
SettingInfo& SettingInfo::turnedOffByCheckBox()
{
    formTurnsOff = true;
    return *this;
}
SettingInfo& SettingInfo::holdingChildren()
{
    holdsChildren = true;
    return *this;
}
SettingInfo& SettingInfo::typedAsText()
{
    scientific = true;
    return *this;
}
SettingInfo& SettingInfo::withDecimals(int n)
{
    decimals = n;
    return *this;
}

std::string SettingInfo::name() const
{
    std::string n = key.substr(key.empty() || key[0] != '/' ? 0 : 1);
    for (char& c : n)
        if (c == '/')
            c = '.';
    return n;
}

std::string SettingInfo::rangeText() const
{
    switch (kind) {
    case SettingKind::Integer:
        return "from " + settingNumberText(min) + " to " + settingNumberText(max);
    case SettingKind::Real:
        if (!minExclusive && !maxExclusive)
            return "from " + settingNumberText(min) + " to " + settingNumberText(max);
        return std::string("in ") + (minExclusive ? "(" : "[") + settingNumberText(min) + ", " +
               settingNumberText(max) + (maxExclusive ? ")" : "]");
    case SettingKind::Choice:
        return joined(choices);
    case SettingKind::List:
        return "a list of " + joined(choices);
    case SettingKind::Text:
        return "text";
    case SettingKind::Switch:
        return "true or false";
    }
    return {};
}

std::string settingNumberText(double value)
{
    if (std::fabs(value) >= 1e15 && std::fabs(value) < 1e19 && value == std::floor(value))
        return std::to_string(static_cast<long long>(value >= 9.2e18 ? 9223372036854775807LL : value));
    char text[32];
    std::snprintf(text, sizeof text, "%.10g", value);
    return text;
}

std::string settingTypeProblem(const SettingInfo& s, const nlohmann::json& value)
{
    if (value.is_null())
        return s.noneText.empty() ? "must be set" : std::string();
    bool ok = false;
    std::string wanted;
    switch (s.kind) {
    case SettingKind::Integer:
        ok = value.is_number_integer();
        wanted = "a whole number";
        break;
    case SettingKind::Real:
        ok = value.is_number();
        wanted = "a number";
        break;
    case SettingKind::Text:
    case SettingKind::Choice:
        ok = value.is_string();
        wanted = "text";
        break;
    case SettingKind::Switch:
        ok = value.is_boolean();
        wanted = "true or false";
        break;
    case SettingKind::List:
        ok = value.is_array();
        for (const auto& item : value)
            ok = ok && item.is_string();
        wanted = "a list of names";
        break;
    }
    return ok ? std::string() : "must be " + wanted + ", not " + typeName(value);
}

std::string checkSettingValue(const SettingInfo& s, const nlohmann::json& value)
{
    if (std::string problem = settingTypeProblem(s, value); !problem.empty() || value.is_null())
        return problem;
    const std::string must = "must be " + s.rangeText() + ", not ";
    switch (s.kind) {
    case SettingKind::Integer: {
        const bool huge = value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(INT64_MAX);
        const auto v = double(value.get<int64_t>());
        return !huge && v >= s.min && v <= s.max ? std::string() : must + value.dump();
    }
    case SettingKind::Real: {
        const double v = value.get<double>();
        const bool above = s.minExclusive ? v > s.min : v >= s.min;
        const bool below = s.maxExclusive ? v < s.max : v <= s.max;
        return std::isfinite(v) && above && below ? std::string() : must + settingNumberText(v);
    }
    case SettingKind::Text:
        return value.get<std::string>().empty() ? "must not be empty" : std::string();
    case SettingKind::Choice:
        return isChoice(s, value.get<std::string>()) ? std::string() : must + "'" + value.get<std::string>() + "'";
    case SettingKind::List:
        if (value.empty())
            return "must name at least one of " + joined(s.choices);
        for (const auto& item : value)
            if (!isChoice(s, item.get<std::string>()))
                return "must be " + s.rangeText() + "; '" + item.get<std::string>() + "' is none of them";
        return {};
    case SettingKind::Switch:
        return {};
    }
    return {};
}

} // namespace sft
