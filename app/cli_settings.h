#pragma once
// A settings table's command-line flags: each descriptor becomes a flag with its help and
// default, and the flags given become the options object run.json would hold.

#include "app/cli_support.h"
#include "core/settings/setting.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace sft::cli {

// defaults: values shown instead of the table's where it holds the key (a command whose defaults
// differ, as make-preferences' longer replies).
void addSettingFlags(Options& o, const std::vector<SettingInfo>& settings,
                     const nlohmann::json& defaults = nlohmann::json::object());
// The options object: every default (those of `defaults` where it holds the key), with each
// flag given in its place. UsageError for a value out of range, or for a flag whose switch is
// off (--lora-rank without --lora).
nlohmann::json readSettingFlags(const Options& o, const std::vector<SettingInfo>& settings,
                                const nlohmann::json& defaults = nlohmann::json::object());
// The first of the settings' flags that is given, or empty.
std::string firstSettingFlagSet(const Options& o, const std::vector<SettingInfo>& settings);

} // namespace sft::cli
