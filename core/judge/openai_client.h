#pragma once
// OpenAI-compatible servers (/v1/models, /v1/chat/completions streamed as server-sent events):
// llama.cpp's llama-server, vLLM, LM Studio and Ollama's own /v1. They have no version or
// digest to record, cannot pull, and take no context size per request.

#include "core/judge/judge_client.h"

namespace sft {

class OpenAiClient : public JudgeClient {
public:
    using JudgeClient::JudgeClient;

    std::string serverVersion(const JobControl* job = nullptr) override;
    std::vector<JudgeModel> models(const JobControl* job = nullptr) override;
    void pull(const std::string& model, const PullProgressFn& progress, const JobControl* job = nullptr) override;
    ChatReply chat(const ChatRequest& request, const JobControl* job = nullptr) override;
    std::string missingModelAdvice() const override;
};

} // namespace sft
