#include "core/model/lora_options.h"

#include "core/util/error.h"

#include <sstream>

namespace sft {

namespace {

struct TargetName {
    LoraTarget target;
    const char* name;
    const char* help;
};

constexpr TargetName kTargetNames[] = {
    {LoraTarget::Query, "q", "Attention query (the q third of c_attn)"},
    {LoraTarget::Key, "k", "Attention key (the k third of c_attn)"},
    {LoraTarget::Value, "v", "Attention value (the v third of c_attn)"},
    {LoraTarget::AttentionOut, "attn_out", "Attention output projection (c_proj)"},
    {LoraTarget::FeedForward, "ffn", "Both feed-forward layers (c_fc, c_proj)"},
    {LoraTarget::Head, "head", "The output head (lm_head)"},
};

std::string allTargetNames()
{
    std::string names;
    for (const TargetName& t : kTargetNames)
        names += (names.empty() ? "" : ", ") + std::string(t.name);
    return names;
}

std::string trimmed(const std::string& s)
{
    const auto begin = s.find_first_not_of(" \t");
    return begin == std::string::npos ? std::string() : s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

SettingTable<LoraOptions> makeLoraSettings()
{
    using K = SettingKind;
    SettingTable<LoraOptions> t("LoRA");
    t.add(setting(K::Integer, "/r", "lora-rank", "Rank", "LoRA rank r.").range(1, 1024).placeholder("R").named("loraRank"),
          &LoraOptions::rank);
    t.add(setting(K::Real, "/lora_alpha", "lora-alpha", "Alpha", "LoRA alpha: updates are scaled by alpha / r.")
              .range(0, 1e6)
              .exclusive(true, false)
              .withDecimals(2)
              .placeholder("A"),
          &LoraOptions::alpha);
    t.add(setting(K::Real, "/lora_dropout", "lora-dropout", "LoRA dropout", "Dropout on the adapters' input.")
              .range(0, 1)
              .exclusive(false, true)
              .withDecimals(2)
              .placeholder("P"),
          &LoraOptions::dropout);
    std::vector<std::string> tips;
    for (const TargetName& n : kTargetNames)
        tips.emplace_back(n.help);
    t.add(setting(K::List, "/targets", "lora-targets", "Adapt",
                  "Layers that get adapters: q, k, v, attn_out, ffn, head, comma-separated, or all.")
              .oneOf(loraTargetNames(), tips)
              .placeholder("LIST")
              .named("loraTarget"),
          [](const LoraOptions& o) {
              nlohmann::json names = nlohmann::json::array();
              for (LoraTarget target : o.targets)
                  names.push_back(loraTargetName(target));
              return names;
          },
          [](LoraOptions& o, const nlohmann::json& names) {
              o.targets.clear();
              for (const auto& name : names)
                  o.targets.insert(parseLoraTarget(name.get<std::string>()));
          });
    return t;
}

} // namespace

std::string loraTargetName(LoraTarget target)
{
    for (const TargetName& t : kTargetNames)
        if (t.target == target)
            return t.name;
    throw ConfigError("unknown LoRA target");
}

LoraTarget parseLoraTarget(const std::string& name)
{
    for (const TargetName& t : kTargetNames)
        if (name == t.name)
            return t.target;
    throw ConfigError("unknown LoRA target '" + name + "'; use " + allTargetNames() + " (or all)");
}

std::vector<std::string> loraTargetNames()
{
    std::vector<std::string> names;
    for (const TargetName& t : kTargetNames)
        names.emplace_back(t.name);
    return names;
}

std::set<LoraTarget> parseLoraTargets(const std::string& list)
{
    std::set<LoraTarget> targets;
    if (trimmed(list) == "all") {
        for (const TargetName& t : kTargetNames)
            targets.insert(t.target);
        return targets;
    }
    std::istringstream in(list);
    for (std::string name; std::getline(in, name, ',');)
        targets.insert(parseLoraTarget(trimmed(name)));
    if (targets.empty())
        throw ConfigError("LoRA setting targets must name at least one layer kind: " + allTargetNames());
    return targets;
}

const SettingTable<LoraOptions>& loraSettings()
{
    static const SettingTable<LoraOptions> table = makeLoraSettings();
    return table;
}

nlohmann::json LoraOptions::toJson() const { return loraSettings().toJson(*this); }

LoraOptions LoraOptions::fromJson(const nlohmann::json& j) { return loraSettings().fromJson(j); }

void LoraOptions::validate() const { loraSettings().validate(*this); }

} // namespace sft
