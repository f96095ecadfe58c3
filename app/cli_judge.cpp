#include "app/cli_judge.h"

#include "app/cli_settings.h"
#include "core/judge/api_key_file.h"
#include "core/judge/judge_settings.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sft::cli {

std::vector<SettingInfo> judgeFlags(JudgeSamples samples)
{
    std::vector<SettingInfo> flags = judgeServerSettings().infos();
    for (const SettingInfo& s : judgeSettings().infos())
        if (samples == JudgeSamples::Taken || s.flag != "samples")
            flags.push_back(s);
    return flags;
}

namespace {

void addApiKeyOptions(Options& o)
{
    o.add("api-key-env", "Environment variable holding the server's API key, sent as a bearer token.", "VAR");
    o.add("api-key-file", "File holding the server's API key, readable by you alone (chmod 600).", "FILE");
}

const std::vector<std::string> kAskingFlags = {"judge-model", "temperature", "seed", "num-ctx", "num-predict",
                                               "attempts", "backoff-ms"};

std::vector<SettingInfo> askingFlags()
{
    std::vector<SettingInfo> flags = judgeServerSettings().infos();
    for (const SettingInfo& s : settingsWithFlags(judgeSettings().infos(), kAskingFlags))
        flags.push_back(s);
    return flags;
}

nlohmann::json askingDefaults(const SamplingOptions& sampling)
{
    ScoreSettings defaults;
    defaults.options = sampling;
    return judgeSettings().toJson(defaults);
}

} // namespace

void addJudgeOptions(Options& o, JudgeSamples samples)
{
    addSettingFlags(o, judgeFlags(samples));
    addApiKeyOptions(o);
    o.add("pull", "Pull the judge model first when Ollama does not have it.");
    o.add("restart", "Discard results stored in the output's journal for another setup.");
}

JudgeServer judgeServer(const Options& o)
{
    JudgeServer server = judgeServerSettings().fromJson(readSettingFlags(o, judgeServerSettings().infos()));
    if (o.isSet("api-key-env") && o.isSet("api-key-file"))
        throw UsageError("give the API key either with --api-key-env or with --api-key-file, not both");
    if (o.isSet("api-key-file"))
        server.apiKey = readApiKeyFile(o.text("api-key-file"));
    if (o.isSet("api-key-env")) {
        const std::string var = o.text("api-key-env");
        const char* key = std::getenv(var.c_str());
        if (!key || !*key)
            throw UsageError("--api-key-env names " + var + ", but that environment variable is not set");
        server.apiKey = key;
    }
    return server;
}

ScoreSettings judgeSettingsOf(const Options& o, JudgeSamples samples)
{
    ScoreSettings settings = judgeSettings().fromJson(readSettingFlags(o, judgeFlags(samples)));
    settings.restart = o.isSet("restart");
    return settings;
}

void addAskingOptions(Options& o, const SamplingOptions& sampling)
{
    addSettingFlags(o, askingFlags(), askingDefaults(sampling));
    addApiKeyOptions(o);
}

ScoreSettings askingSettingsOf(const Options& o, const SamplingOptions& sampling)
{
    return judgeSettings().fromJson(readSettingFlags(o, askingFlags(), askingDefaults(sampling)));
}

void pullIfMissing(JudgeClient& client, const std::string& model, const Options& o)
{
    if (!o.isSet("pull") || findModel(client.models(&interruptibleJob()), model))
        return;
    Progress progress("B", Progress::Amounts::Bytes);
    std::string lastStatus;
    client.pull(
        model,
        [&](const PullProgress& p) {
            if (p.total > 0)
                progress.update(p.completed, p.total, p.status);
            else if (p.status != lastStatus)
                progress.message("pull " + model + ": " + p.status);
            lastStatus = p.status;
        },
        &interruptibleJob());
    progress.finish();
}

std::string formatNumber(double value, int decimals)
{
    if (std::isnan(value))
        return "n/a";
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

} // namespace sft::cli
