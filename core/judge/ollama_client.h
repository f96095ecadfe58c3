#pragma once
// Ollama's native API (/api/version, /api/tags, /api/pull, /api/chat), streamed as NDJSON.

#include "core/judge/judge_client.h"

namespace sft {

class OllamaClient : public JudgeClient {
public:
    using JudgeClient::JudgeClient;

    std::string serverVersion(const JobControl* job = nullptr) override;
    std::vector<JudgeModel> models(const JobControl* job = nullptr) override;
    void pull(const std::string& model, const PullProgressFn& progress, const JobControl* job = nullptr) override;
    void loadModel(const std::string& model, const SamplingOptions& options, const JobControl* job = nullptr) override;
    ChatReply chat(const ChatRequest& request, const JobControl* job = nullptr) override;
    std::string missingModelAdvice() const override;

private:
    // Reads an NDJSON body line by line; an HTTP error status collects the error body instead.
    void stream(const HttpRequest& request, const std::string& model, const std::function<void(const nlohmann::json&)>& onLine,
                const JobControl* job);
};

} // namespace sft
