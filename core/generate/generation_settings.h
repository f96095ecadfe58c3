#pragma once
// The decoding settings shared by `respond`, `generate` and the app's answer views: one table,
// so the same flag has the same default and range in every command.

#include "core/settings/setting_table.h"

#include <cstdint>

namespace sft {

struct GenerationOptions;

const SettingTable<GenerationOptions>& generationSettings();

} // namespace sft
