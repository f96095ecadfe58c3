#include "core/judge/judge_client.h"

#include "core/judge/ollama_client.h"
#include "core/judge/openai_client.h"
#include "core/net/url.h"

#include <algorithm>
#include <cctype>

namespace sft {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string excerpt(const std::string& text)
{
    const size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return {};
    std::string s = text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
    return s.size() > 200 ? s.substr(0, 200) + "..." : s;
}

} // namespace

JudgeApi judgeApiByName(const std::string& name)
{
    if (name == "ollama")
        return JudgeApi::Ollama;
    if (name == "openai")
        return JudgeApi::OpenAi;
    throw ConfigError("unknown judge API '" + name + "': use 'ollama' (Ollama's own API) or 'openai' "
                      "(OpenAI-compatible servers: llama-server, vLLM, LM Studio)");
}

std::string judgeApiName(JudgeApi api) { return api == JudgeApi::Ollama ? "ollama" : "openai"; }

nlohmann::json SamplingOptions::toJson() const
{
    nlohmann::json options = {
        {"seed", seed}, {"temperature", temperature}, {"num_ctx", numCtx}, {"num_predict", numPredict}};
    if (topP)
        options["top_p"] = *topP;
    return options;
}

std::string JudgeClient::displayUrl() const
{
    std::string shown = shownUrl(server_.url, true);
    if (shown.size() > 1 && shown.back() == '/')
        shown.pop_back();
    return shown;
}

void JudgeClient::loadModel(const std::string&, const SamplingOptions&, const JobControl*) {}

HttpRequest JudgeClient::httpRequest(const std::string& method, const std::string& path, const nlohmann::json& body) const
{
    HttpRequest request;
    request.method = method;
    request.url = joinUrlPath(server_.url, path);
    if (!body.is_null())
        request.jsonBody = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!server_.apiKey.empty())
        request.headers.emplace_back("Authorization", "Bearer " + server_.apiKey);
    return request;
}

nlohmann::json JudgeClient::exchangeJson(const HttpRequest& request, const std::string& model, const JobControl* job)
{
    std::string body;
    const HttpResponse response = httpExchange(
        request, server_.timeouts, [&body](const HttpResponse&, std::string_view bytes) { body += bytes; }, job);
    if (response.status >= 400)
        throw httpFailure(response.status, body, model, job);
    nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    if (!parsed.is_object())
        throw JudgeError(JudgeError::Kind::Broken,
                         shownUrl(request.url, true) + " did not answer with a JSON object: " + excerpt(body));
    return parsed;
}

JudgeError JudgeClient::httpFailure(int status, const std::string& body, const std::string& model, const JobControl* job)
{
    const std::string answered = std::to_string(status) + ": " + serverErrorMessage(body);
    if (status == 404 && !model.empty()) {
        try {
            return JudgeError(JudgeError::Kind::NotFound,
                              modelMissingMessage(model, displayUrl(), missingModelAdvice(), models(job)), status);
        } catch (const JudgeError&) {
            return JudgeError(JudgeError::Kind::NotFound,
                              displayUrl() + " answered " + answered + " when asked for model '" + model +
                                  "', and it lists no models: is the API right (--api ollama or openai)?",
                              status);
        }
    }
    if (status == 401 || status == 403)
        return JudgeError(JudgeError::Kind::Refused,
                          displayUrl() + " refused access (" + answered +
                              "); give the server's API key (--api-key-env or --api-key-file; in the app, the API key field)",
                          status);
    if (status == 408 || status == 429 || status >= 500)
        return JudgeError(JudgeError::Kind::Overloaded, displayUrl() + " answered " + answered, status);
    return JudgeError(JudgeError::Kind::Refused, displayUrl() + " refused the request (" + answered + ")", status);
}

std::unique_ptr<JudgeClient> makeJudgeClient(const JudgeServer& server)
{
    if (server.api == JudgeApi::Ollama)
        return std::make_unique<OllamaClient>(server);
    return std::make_unique<OpenAiClient>(server);
}

const JudgeModel* findModel(const std::vector<JudgeModel>& models, const std::string& name)
{
    const std::string wanted = lower(name);
    const std::string tagged = wanted.find(':') == std::string::npos ? wanted + ":latest" : wanted;
    for (const std::string& candidate : {wanted, tagged})
        for (const JudgeModel& m : models)
            if (lower(m.name) == candidate)
                return &m;
    return nullptr;
}

JudgeModel requireModel(JudgeClient& client, const std::string& model, const JobControl* job)
{
    const std::vector<JudgeModel> models = client.models(job);
    const JudgeModel* found = findModel(models, model);
    if (!found)
        throw JudgeError(JudgeError::Kind::NotFound,
                         modelMissingMessage(model, client.displayUrl(), client.missingModelAdvice(), models));
    return *found;
}

std::string modelMissingMessage(const std::string& model, const std::string& url, const std::string& advice,
                                const std::vector<JudgeModel>& available)
{
    std::string message = "model '" + model + "' is not available on " + url + "; " + advice;
    if (available.empty())
        return message + " (the server has no models yet)";
    message += " or pick one of: ";
    for (size_t i = 0; i < available.size(); ++i)
        message += (i ? ", " : "") + available[i].name;
    return message;
}

std::string serverErrorMessage(const std::string& body)
{
    const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error")) {
        const nlohmann::json& error = parsed["error"];
        if (error.is_string())
            return error.get<std::string>();
        if (error.is_object() && error.contains("message") && error["message"].is_string())
            return error["message"].get<std::string>();
    }
    const std::string text = excerpt(body);
    return text.empty() ? "no message" : text;
}

} // namespace sft
