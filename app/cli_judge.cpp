#include "app/cli_judge.h"

#include "core/judge/api_key_file.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sft::cli {

void addJudgeOptions(Options& o)
{
    o.add("judge-url", "Judge server.", "URL", "http://localhost:11434");
    o.add("judge-model", "Judge model, as the server names it.", "NAME", "llama3");
    o.add("api", "ollama (Ollama's own API) or openai (llama-server, vLLM, LM Studio, Ollama's /v1).", "API",
          "ollama");
    o.add("api-key-env", "Environment variable holding the server's API key, sent as a bearer token.", "VAR");
    o.add("api-key-file", "File holding the server's API key, readable by you alone (chmod 600).", "FILE");
    o.add("pull", "Pull the judge model first when Ollama does not have it.");
    o.add("seed", "Sampling seed (inside Ollama's options).", "N", "123");
    o.add("temperature", "Sampling temperature; 0 is greedy.", "T", "0");
    o.add("num-ctx", "Judge context size; pinned, as the default differs between Ollama versions.", "N", "2048");
    o.add("num-predict", "Most tokens per reply.", "N", "128");
    o.add("no-schema", "Send no JSON schema; read the score from free text only.");
    o.add("attempts", "Most requests per judgement, the first included.", "N", "3");
    o.add("backoff-ms", "Wait before the second request; doubles after each failure.", "MS", "1000");
    o.add("connect-timeout", "Seconds to connect.", "S", "10");
    o.add("first-byte-timeout", "Seconds from a request to the first byte of its answer (model loading).", "S",
          "600");
    o.add("idle-timeout", "Seconds of silence allowed in the middle of an answer.", "S", "120");
    o.add("restart", "Discard results stored in the output's journal for another setup.");
}

JudgeServer judgeServer(const Options& o)
{
    JudgeServer server;
    server.url = o.required("judge-url");
    server.api = judgeApiByName(o.text("api"));
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
    const auto ms = [&o](const char* name) { return int(o.real(name, 0.001, 86400) * 1000); };
    server.timeouts = {ms("connect-timeout"), ms("first-byte-timeout"), ms("idle-timeout")};
    return server;
}

SamplingOptions samplingOptions(const Options& o)
{
    SamplingOptions options;
    options.seed = o.integer("seed", 0, INT32_MAX);
    options.temperature = o.real("temperature", 0, 2);
    options.numCtx = o.integer("num-ctx", 256, 1 << 20);
    options.numPredict = o.integer("num-predict", 1, 1 << 16);
    return options;
}

RetryPolicy retryPolicy(const Options& o)
{
    RetryPolicy policy;
    policy.maxAttempts = int(o.integer("attempts", 1, 20));
    policy.firstBackoffMs = int(o.integer("backoff-ms", 0, 600'000));
    return policy;
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
