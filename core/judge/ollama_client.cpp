#include "core/judge/ollama_client.h"

#include "core/judge/judge_json.h"
#include "core/net/ndjson_stream.h"

namespace sft {

namespace {

// Long enough that a paused or slow run does not pay a reload (the server default is 5 min).
const char* const kKeepAlive = "30m";

nlohmann::json messagesJson(const std::vector<ChatMessage>& messages)
{
    nlohmann::json list = nlohmann::json::array();
    for (const ChatMessage& m : messages)
        list.push_back({{"role", m.role}, {"content", m.content}});
    return list;
}

} // namespace

std::string OllamaClient::serverVersion(const JobControl* job)
{
    return stringField(exchangeJson(httpRequest("GET", "/api/version"), {}, job), "version");
}

std::vector<JudgeModel> OllamaClient::models(const JobControl* job)
{
    const nlohmann::json tags = exchangeJson(httpRequest("GET", "/api/tags"), {}, job);
    std::vector<JudgeModel> models;
    const auto list = tags.find("models");
    if (list == tags.end() || !list->is_array())
        return models;
    for (const nlohmann::json& m : *list)
        if (m.is_object())
            models.push_back({stringField(m, "name"), stringField(m, "digest"), integerField(m, "size")});
    return models;
}

void OllamaClient::pull(const std::string& model, const PullProgressFn& progress, const JobControl* job)
{
    bool success = false;
    stream(httpRequest("POST", "/api/pull", {{"model", model}, {"stream", true}}), {},
           [&](const nlohmann::json& line) {
               if (line.contains("error"))
                   throw JudgeError(JudgeError::Kind::Refused, "Ollama at " + displayUrl() + " could not pull '" + model +
                                                                   "': " + stringField(line, "error") +
                                                                   "; check the name on ollama.com/library");
               const PullProgress p{stringField(line, "status"), integerField(line, "completed"),
                                    integerField(line, "total")};
               success = success || p.status == "success";
               if (progress)
                   progress(p);
           },
           job);
    if (!success)
        throw JudgeError(JudgeError::Kind::Broken, "pulling '" + model + "' from " + displayUrl() +
                                                        " stopped before it reported success; pull again to resume");
}

void OllamaClient::loadModel(const std::string& model, const SamplingOptions& options, const JobControl* job)
{
    exchangeJson(httpRequest("POST", "/api/chat",
                             {{"model", model},
                              {"messages", nlohmann::json::array()},
                              {"options", options.toJson()},
                              {"keep_alive", kKeepAlive}}),
                 model, job);
}

ChatReply OllamaClient::chat(const ChatRequest& request, const JobControl* job)
{
    nlohmann::json body = {{"model", request.model},
                           {"messages", messagesJson(request.messages)},
                           {"stream", true},
                           {"options", request.options.toJson()},
                           {"keep_alive", kKeepAlive}};
    if (!request.format.is_null())
        body["format"] = request.format;
    ChatReply reply;
    bool done = false;
    stream(httpRequest("POST", "/api/chat", body), request.model,
           [&](const nlohmann::json& line) {
               if (line.contains("error"))
                   throw JudgeError(JudgeError::Kind::Broken,
                                    displayUrl() + " stopped the answer with an error: " + stringField(line, "error"));
               const auto message = line.find("message");
               if (message != line.end() && message->is_object())
                   reply.content += stringField(*message, "content");
               if (boolField(line, "done")) {
                   done = true;
                   reply.doneReason = stringField(line, "done_reason");
                   reply.promptTokens = integerField(line, "prompt_eval_count");
               }
           },
           job);
    if (!done)
        throw JudgeError(JudgeError::Kind::Broken, "the answer from " + displayUrl() +
                                                        " ended before its last line (no \"done\": true); the "
                                                        "connection was probably lost");
    return reply;
}

std::string OllamaClient::missingModelAdvice() const
{
    return "pull it (sft-studio score --pull, or Pull in the app's Evaluate > Judge panel)";
}

void OllamaClient::stream(const HttpRequest& request, const std::string& model,
                          const std::function<void(const nlohmann::json&)>& onLine, const JobControl* job)
{
    NdjsonStream lines;
    std::string errorBody;
    const auto take = [&](const std::vector<nlohmann::json>& objects) {
        for (const nlohmann::json& line : objects)
            onLine(line);
    };
    try {
        const HttpResponse response = httpExchange(
            request, server().timeouts,
            [&](const HttpResponse& r, std::string_view bytes) {
                if (r.status >= 400)
                    errorBody += bytes;
                else
                    take(lines.feed(bytes));
            },
            job);
        if (response.status >= 400)
            throw httpFailure(response.status, errorBody, model, job);
        take(lines.finish());
    } catch (const FormatError& e) {
        throw JudgeError(JudgeError::Kind::Broken, displayUrl() + ": " + e.what());
    }
}

} // namespace sft
