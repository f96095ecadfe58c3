#include "core/judge/openai_client.h"

#include "core/judge/judge_json.h"
#include "core/net/sse_stream.h"

namespace sft {

namespace {

nlohmann::json requestBody(const ChatRequest& request)
{
    nlohmann::json messages = nlohmann::json::array();
    for (const ChatMessage& m : request.messages)
        messages.push_back({{"role", m.role}, {"content", m.content}});
    nlohmann::json body = {{"model", request.model},
                           {"messages", messages},
                           {"stream", true},
                           {"seed", request.options.seed},
                           {"temperature", request.options.temperature},
                           {"max_tokens", request.options.numPredict}};
    if (request.options.topP)
        body["top_p"] = *request.options.topP;
    if (!request.format.is_null())
        body["response_format"] = {{"type", "json_schema"},
                                   {"json_schema", {{"name", "judgement"}, {"schema", request.format}}}};
    return body;
}

// One chat.completion(.chunk): servers differ in where the finish reason rides, so the last
// non-empty one wins; chunks without choices (usage) are fine.
void takeChunk(const nlohmann::json& chunk, ChatReply& reply)
{
    const auto usage = chunk.find("usage");
    if (usage != chunk.end() && usage->is_object())
        reply.promptTokens = integerField(*usage, "prompt_tokens");
    const auto choices = chunk.find("choices");
    if (choices == chunk.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object())
        return;
    const nlohmann::json& choice = (*choices)[0];
    for (const char* part : {"delta", "message"}) {
        const auto it = choice.find(part);
        if (it != choice.end() && it->is_object())
            reply.content += stringField(*it, "content");
    }
    const std::string finish = stringField(choice, "finish_reason");
    if (!finish.empty())
        reply.doneReason = finish;
}

} // namespace

std::string OpenAiClient::serverVersion(const JobControl*) { return {}; }

std::vector<JudgeModel> OpenAiClient::models(const JobControl* job)
{
    const nlohmann::json list = exchangeJson(httpRequest("GET", "/v1/models"), {}, job);
    std::vector<JudgeModel> models;
    const auto data = list.find("data");
    if (data == list.end() || !data->is_array())
        return models;
    for (const nlohmann::json& m : *data)
        if (m.is_object())
            models.push_back({stringField(m, "id"), {}, 0});
    return models;
}

void OpenAiClient::pull(const std::string& model, const PullProgressFn&, const JobControl*)
{
    throw JudgeError(JudgeError::Kind::Refused, "an OpenAI-compatible server cannot pull models; load '" + model +
                                                    "' in the server at " + displayUrl() + " itself");
}

ChatReply OpenAiClient::chat(const ChatRequest& request, const JobControl* job)
{
    ChatReply reply;
    bool done = false;
    SseStream events;
    std::string whole; // an error body, or a server that answered without streaming
    const auto takeEvent = [&](const std::string& data) {
        if (data == "[DONE]") {
            done = true;
            return;
        }
        const nlohmann::json chunk = nlohmann::json::parse(data, nullptr, false);
        if (!chunk.is_object())
            throw JudgeError(JudgeError::Kind::Broken, displayUrl() + " sent an event that is not JSON: " + data.substr(0, 80));
        if (chunk.contains("error"))
            throw JudgeError(JudgeError::Kind::Broken, displayUrl() + " stopped the answer with an error: " +
                                                           serverErrorMessage(data));
        takeChunk(chunk, reply);
    };
    const HttpResponse response = httpExchange(
        httpRequest("POST", "/v1/chat/completions", requestBody(request)), server().timeouts,
        [&](const HttpResponse& r, std::string_view bytes) {
            if (r.status >= 400 || r.contentType().rfind("application/json", 0) == 0)
                whole += bytes;
            else
                for (const std::string& data : events.feed(bytes))
                    takeEvent(data);
        },
        job);
    if (response.status >= 400)
        throw httpFailure(response.status, whole, request.model, job);
    if (response.contentType().rfind("application/json", 0) == 0) {
        takeEvent(whole);
        done = !reply.doneReason.empty();
    }
    if (!done)
        throw JudgeError(JudgeError::Kind::Broken, "the answer from " + displayUrl() +
                                                        " ended without its closing [DONE]; the connection was "
                                                        "probably lost or the server failed mid-answer");
    return reply;
}

std::string OpenAiClient::missingModelAdvice() const { return "load it in the server"; }

} // namespace sft
