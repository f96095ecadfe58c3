#pragma once
// The judge server and model last chosen in Evaluate's judge panel, kept in the app's settings,
// so that every view that asks a local model (Data's "Make preference data") asks the same one.

#include "core/judge/judge_client.h"

#include <QString>

#include <string>

namespace sft::ui {

struct RememberedJudge {
    JudgeServer server;
    std::string model;
};

// With the API key the panel remembered for the server's address, if any.
RememberedJudge rememberedJudge();
// The server, API and model; the key is the panel's to keep (in judgeKeyStorePath()).
void rememberJudge(const RememberedJudge& judge);
// The file, readable by the user alone, of the API keys remembered per server address.
QString judgeKeyStorePath();

} // namespace sft::ui
