#pragma once
// The judge's settings as tables, the one definition from which `score` and `compare-judge` make
// their flags and the app's judge panel its rows: where the server is and how long to wait for
// it (JudgeServer), and how to ask it (ScoreSettings). The API key is no setting: it never goes
// on a command line or into a file that others can read.

#include "core/settings/setting_table.h"

namespace sft {

struct JudgeServer;
struct ScoreSettings;

const SettingTable<JudgeServer>& judgeServerSettings();
const SettingTable<ScoreSettings>& judgeSettings();

} // namespace sft
