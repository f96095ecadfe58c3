#pragma once
// Talking to a judge server: Ollama's native API or an OpenAI-compatible one (llama.cpp's
// llama-server, vLLM, LM Studio, Ollama's /v1). Calls block; each runs its own local event loop,
// so a client works from the CLI and from a QThread worker alike. Failures are JudgeErrors.

#include "core/net/http_exchange.h"
#include "core/judge/judge_error.h"
#include "core/util/job_control.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sft {

enum class JudgeApi { Ollama, OpenAi };

JudgeApi judgeApiByName(const std::string& name); // "ollama" | "openai"; ConfigError otherwise
std::string judgeApiName(JudgeApi api);

struct JudgeServer {
    std::string url = "http://localhost:11434";
    JudgeApi api = JudgeApi::Ollama;
    std::string apiKey; // sent as "Authorization: Bearer"; never logged, never written to a file
    HttpTimeouts timeouts;
};

// Ollama needs these inside "options" (at the top level they are silently ignored). num_ctx is
// pinned because its default changed between versions and every change reloads the model.
struct SamplingOptions {
    int64_t seed = 123;
    double temperature = 0.0;
    int64_t numCtx = 2048;
    int64_t numPredict = 128; // room for {"reason": ..., "score": N}; bounds a rambling judge
    std::optional<double> topP; // unset: the server's own (Ollama's is 0.9)

    nlohmann::json toJson() const; // Ollama's names: seed, temperature, num_ctx, num_predict, top_p when set
};

struct ChatMessage {
    std::string role; // "user" | "assistant"
    std::string content;
};

struct ChatRequest {
    std::string model;
    std::vector<ChatMessage> messages;
    SamplingOptions options;
    nlohmann::json format; // a JSON schema for structured output, or null for free text
};

struct ChatReply {
    std::string content;
    std::string doneReason;   // "stop", "length" (cut off by num_predict), ...
    int64_t promptTokens = 0; // 0 when the server does not say
};

struct JudgeModel {
    std::string name;
    std::string digest; // Ollama's content digest; empty for OpenAI-compatible servers
    int64_t sizeBytes = 0;
};

struct PullProgress {
    std::string status; // "pulling manifest", "pulling 6a0746a1ec1a", "success", ...
    int64_t completed = 0;
    int64_t total = 0;
};
using PullProgressFn = std::function<void(const PullProgress&)>;

class JudgeClient {
public:
    explicit JudgeClient(JudgeServer server) : server_(std::move(server)) {}
    virtual ~JudgeClient() = default;
    JudgeClient(const JudgeClient&) = delete;
    JudgeClient& operator=(const JudgeClient&) = delete;

    const JudgeServer& server() const { return server_; }
    std::string displayUrl() const; // without user info

    virtual std::string serverVersion(const JobControl* job = nullptr) = 0; // "" when the API has none
    virtual std::vector<JudgeModel> models(const JobControl* job = nullptr) = 0;
    virtual void pull(const std::string& model, const PullProgressFn& progress, const JobControl* job = nullptr) = 0;
    // Loads the model with these options before the first question, so loading time is paid
    // once, under the first-byte timeout, and not by the first entry.
    virtual void loadModel(const std::string& model, const SamplingOptions& options, const JobControl* job = nullptr);
    virtual ChatReply chat(const ChatRequest& request, const JobControl* job = nullptr) = 0;
    // What to do about a model the server does not have ("pull it ...", "load it ...").
    virtual std::string missingModelAdvice() const = 0;

protected:
    HttpRequest httpRequest(const std::string& method, const std::string& path, const nlohmann::json& body = {}) const;
    // A whole JSON body; an HTTP error status becomes the matching JudgeError.
    nlohmann::json exchangeJson(const HttpRequest& request, const std::string& model, const JobControl* job);
    // The JudgeError for an HTTP error status; `model` names the judge model when the request
    // was about one, so a 404 says which models the server does have.
    JudgeError httpFailure(int status, const std::string& body, const std::string& model, const JobControl* job);

private:
    JudgeServer server_;
};

std::unique_ptr<JudgeClient> makeJudgeClient(const JudgeServer& server);

// `name` among the server's models; "llama3" also finds Ollama's "llama3:latest".
const JudgeModel* findModel(const std::vector<JudgeModel>& models, const std::string& name);

// The judge model as the server lists it; a NotFound JudgeError names the models it has.
JudgeModel requireModel(JudgeClient& client, const std::string& model, const JobControl* job = nullptr);

// "model 'x' is not available on URL; <advice> or pick one of: a, b".
std::string modelMissingMessage(const std::string& model, const std::string& url, const std::string& advice,
                                const std::vector<JudgeModel>& available);

// The message inside an error body: Ollama {"error": "..."}, OpenAI {"error": {"message": ...}}.
std::string serverErrorMessage(const std::string& body);

} // namespace sft
