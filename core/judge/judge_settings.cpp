#include "core/judge/judge_settings.h"

#include "core/judge/judge_client.h"
#include "core/judge/score_run.h"

#include <cmath>

namespace sft {

namespace {

using K = SettingKind;

SettingInfo timeout(std::string key, std::string flag, std::string label, std::string help)
{
    return setting(K::Real, std::move(key), std::move(flag), std::move(label), std::move(help))
        .range(0.001, 86400)
        .placeholder("S")
        .suffix(" s")
        .inGroup("Server");
}

// A time limit held in milliseconds, given in seconds.
void addSeconds(SettingTable<JudgeServer>& t, SettingInfo info, int HttpTimeouts::*member)
{
    t.add(std::move(info), [member](const JudgeServer& s) { return nlohmann::json(s.timeouts.*member / 1000.0); },
          [member](JudgeServer& s, const nlohmann::json& v) {
              s.timeouts.*member = int(std::lround(v.get<double>() * 1000));
          });
}

SettingTable<JudgeServer> makeJudgeServerSettings()
{
    SettingTable<JudgeServer> t("judge");
    t.add(setting(K::Text, "/url", "judge-url", "Server", "Judge server.").placeholder("URL"), &JudgeServer::url);
    t.add(setting(K::Choice, "/api", "api", "API",
                  "ollama (Ollama's own API) or openai (llama-server, vLLM, LM Studio, Ollama's /v1).")
              .oneOf({"ollama", "openai"}),
          [](const JudgeServer& s) { return nlohmann::json(judgeApiName(s.api)); },
          [](JudgeServer& s, const nlohmann::json& v) { s.api = judgeApiByName(v.get<std::string>()); });
    addSeconds(t, timeout("/connect_timeout", "connect-timeout", "Connect timeout", "Seconds to connect."),
               &HttpTimeouts::connectMs);
    addSeconds(t,
               timeout("/first_byte_timeout", "first-byte-timeout", "First-byte timeout",
                       "Seconds from a request to the first byte of its answer (model loading)."),
               &HttpTimeouts::firstByteMs);
    addSeconds(t,
               timeout("/idle_timeout", "idle-timeout", "Idle timeout",
                       "Seconds of silence allowed in the middle of an answer."),
               &HttpTimeouts::idleMs);
    return t;
}

SettingTable<ScoreSettings> makeJudgeSettings()
{
    SettingTable<ScoreSettings> t("judge");
    t.add(setting(K::Text, "/model", "judge-model", "Model", "Judge model, as the server names it.").placeholder("NAME"),
          &ScoreSettings::model);
    t.add(setting(K::Integer, "/samples", "samples", "Samples",
                  "Judgements per entry (sample k uses seed + k); more than 1 shows the judge's own spread.")
              .range(1, 100)
              .placeholder("K"),
          &ScoreSettings::samples);
    t.add(setting(K::Real, "/temperature", "temperature", "Temperature",
                  "Sampling temperature; 0 (greedy) is the chapter's: the same answer gets the same score.")
              .range(0, 2)
              .withDecimals(2)
              .placeholder("T"),
          &ScoreSettings::options, &SamplingOptions::temperature);
    t.add(setting(K::Integer, "/seed", "seed", "Seed", "Sampling seed (inside Ollama's options).").range(0, INT32_MAX),
          &ScoreSettings::options, &SamplingOptions::seed);
    t.add(setting(K::Integer, "/num_ctx", "num-ctx", "Context",
                  "Judge context size; pinned, as the default differs between Ollama versions.")
              .range(256, 1 << 20)
              .inGroup("Advanced"),
          &ScoreSettings::options, &SamplingOptions::numCtx);
    t.add(setting(K::Integer, "/num_predict", "num-predict", "Reply tokens", "Most tokens per reply.")
              .range(1, 1 << 16)
              .inGroup("Advanced"),
          &ScoreSettings::options, &SamplingOptions::numPredict);
    t.add(setting(K::Switch, "/schema", "no-schema", "Score schema",
                  "Send no JSON schema; read the score from free text only.")
              .turnedOffByFlag()
              .inGroup("Advanced"),
          &ScoreSettings::structured);
    t.add(setting(K::Integer, "/attempts", "attempts", "Attempts", "Most requests per judgement, the first included.")
              .range(1, 20)
              .inGroup("Advanced"),
          &ScoreSettings::retry, &RetryPolicy::maxAttempts);
    t.add(setting(K::Integer, "/backoff_ms", "backoff-ms", "Backoff",
                  "Wait before the second request; doubles after each failure.")
              .range(0, 600'000)
              .suffix(" ms")
              .placeholder("MS")
              .inGroup("Advanced"),
          &ScoreSettings::retry, &RetryPolicy::firstBackoffMs);
    return t;
}

} // namespace

const SettingTable<JudgeServer>& judgeServerSettings()
{
    static const SettingTable<JudgeServer> table = makeJudgeServerSettings();
    return table;
}

const SettingTable<ScoreSettings>& judgeSettings()
{
    static const SettingTable<ScoreSettings> table = makeJudgeSettings();
    return table;
}

} // namespace sft
