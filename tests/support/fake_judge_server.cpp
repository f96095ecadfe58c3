#include "tests/support/fake_judge_server.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QLocale>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace sft::test {

namespace {

using nlohmann::json;

const char* const kBusy = "server busy, please try again.  maximum pending requests exceeded";
const char* const kProxyPage = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
// The notebook's query: Llama 3's template up to where the user's message would begin.
const char* const kPreQueryTemplate = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>";
const char* const kRunnerStopped = "model runner has unexpectedly stopped, this may be due to resource limitations or "
                                   "an internal error, check ollama server logs for details";

uint64_t fnv1a(const std::string& text)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text)
        h = (h ^ c) * 1099511628211ull;
    return h;
}

QByteArray sha256(const std::string& text)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(text), QCryptographicHash::Sha256).toHex();
}

// Go's json.Marshal: compact, with <, > and & escaped inside strings.
QByteArray goJson(const json& value)
{
    QByteArray text = QByteArray::fromStdString(value.dump());
    text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
    return text;
}

std::string createdAt() { return QDateTime::currentDateTimeUtc().toString("yyyy-MM-ddThh:mm:ss.zzz000Z").toStdString(); }

QByteArray reasonPhrase(int status)
{
    static const std::map<int, QByteArray> phrases = {{200, "OK"},          {400, "Bad Request"},
                                                      {401, "Unauthorized"}, {404, "Not Found"},
                                                      {405, "Method Not Allowed"}, {500, "Internal Server Error"},
                                                      {503, "Service Unavailable"}};
    const auto it = phrases.find(status);
    return it == phrases.end() ? QByteArray("Status") : it->second;
}

QByteArray statusLine(int status, const QByteArray& contentType)
{
    const QString date = QLocale::c().toString(QDateTime::currentDateTimeUtc(), "ddd, dd MMM yyyy hh:mm:ss 'GMT'");
    return "HTTP/1.1 " + QByteArray::number(status) + " " + reasonPhrase(status) + "\r\nContent-Type: " + contentType +
           "\r\nDate: " + date.toLatin1() + "\r\n";
}

void sendWhole(QTcpSocket* socket, int status, const QByteArray& contentType, const QByteArray& body)
{
    socket->write(statusLine(status, contentType) + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" +
                  body);
    socket->flush();
}

// What a port that does not speak HTTP sends back: no status line, no headers.
void sendNoise(QTcpSocket* socket)
{
    QByteArray noise(512, '\0');
    QRandomGenerator generator(20261201);
    for (char& c : noise)
        c = char(generator.bounded(256));
    socket->write(noise);
    socket->disconnectFromHost();
}

void sendOllamaError(QTcpSocket* socket, int status, const std::string& message)
{
    sendWhole(socket, status, "application/json; charset=utf-8", goJson({{"error", message}}));
}

void sendOpenAiError(QTcpSocket* socket, int status, const std::string& message)
{
    const char* type = status == 400 ? "invalid_request_error" : status == 404 ? "not_found_error" : "api_error";
    sendWhole(socket, status, "application/json",
              goJson({{"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", nullptr}}}}) + "\n");
}

// One piece of a streamed answer: a chunk of bytes, the end of the body, or a cut connection.
struct Step {
    enum Kind { Data, End, Cut } kind;
    QByteArray bytes;
};

// Plays a streamed answer the way a server flushing each object does: headers go out with the
// first piece (after the model "loaded"), then one piece per timer tick, in chunked encoding.
class StreamPlayer : public std::enable_shared_from_this<StreamPlayer> {
public:
    StreamPlayer(QTcpSocket* socket, QByteArray contentType, std::vector<Step> steps)
        : socket_(socket), contentType_(std::move(contentType)), steps_(std::move(steps))
    {
    }

    void play(int delayMs)
    {
        auto self = shared_from_this();
        QTimer::singleShot(delayMs, socket_.data(), [self] { self->step(); });
    }

private:
    void step()
    {
        if (!socket_)
            return;
        if (next_ == 0)
            socket_->write(statusLine(200, contentType_) + "Transfer-Encoding: chunked\r\n\r\n");
        const Step& s = steps_[next_++];
        if (s.kind == Step::Cut) {
            socket_->abort();
            return;
        }
        if (s.kind == Step::End) {
            socket_->write("0\r\n\r\n");
            socket_->flush();
            return;
        }
        socket_->write(QByteArray::number(s.bytes.size(), 16) + "\r\n" + s.bytes + "\r\n");
        socket_->flush();
        play(1);
    }

    QPointer<QTcpSocket> socket_;
    QByteArray contentType_;
    std::vector<Step> steps_;
    size_t next_ = 0;
};

void playStream(QTcpSocket* socket, const QByteArray& contentType, std::vector<Step> steps, int delayMs)
{
    std::make_shared<StreamPlayer>(socket, contentType, std::move(steps))->play(delayMs);
}

// Pieces of about 4 bytes, never inside a UTF-8 character (a server streams whole characters).
std::vector<std::string> pieces(const std::string& text)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < text.size();) {
        size_t end = std::min(i + 4, text.size());
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            ++end;
        out.push_back(text.substr(i, end - i));
        i = end;
    }
    if (out.empty())
        out.push_back({});
    return out;
}

std::string firstUserMessage(const json& messages)
{
    for (const json& m : messages)
        if (m.is_object() && m.value("role", "") == "user" && m.contains("content") && m["content"].is_string())
            return m["content"].get<std::string>();
    return {};
}

bool asksForInstruction(const json& messages)
{
    if (!messages.is_array() || messages.empty() || !messages.back().is_object())
        return false;
    const json& last = messages.back();
    if (last.value("role", "") == "assistant" && last.value("content", "") == kPreQueryTemplate)
        return true;
    return firstUserMessage(messages).rfind("Write one new instruction", 0) == 0;
}

std::string normalized(std::string name)
{
    for (char& c : name)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return name.find(':') == std::string::npos ? name + ":latest" : name;
}

// Ollama reports a mistyped option as a 500 from the scheduler.
std::string optionTypeError(const json& options)
{
    if (!options.is_object())
        return {};
    for (const char* name : {"seed", "num_ctx", "num_predict", "top_k"})
        if (options.contains(name) && !options[name].is_number_integer())
            return std::string("option \"") + name + "\" must be of type integer";
    for (const char* name : {"temperature", "top_p"})
        if (options.contains(name) && !options[name].is_number())
            return std::string("option \"") + name + "\" must be of type float32";
    return {};
}

} // namespace

enum class FakeJudgeServer::Fault : int { None, Busy, RunnerCrash, Drop, ErrorLine, NonJson, OutOfRange, Html };

FakeJudgeServer::FakeJudgeServer()
{
    QObject::connect(&server_, &QTcpServer::newConnection, [this] { accept(); });
}

FakeJudgeServer::~FakeJudgeServer() = default;

bool FakeJudgeServer::listen(quint16 port) { return server_.listen(QHostAddress::LocalHost, port); }

std::string FakeJudgeServer::url() const { return "http://127.0.0.1:" + std::to_string(port()); }

std::optional<std::string> FakeJudgeServer::rewriteFor(const std::string& first)
{
    const std::string open = "correct output `", close = "`, slightly rewrite the output to be more ";
    const size_t from = first.find(open), to = first.find(close);
    if (from == std::string::npos || to == std::string::npos || to < from)
        return std::nullopt;
    const size_t styleFrom = to + close.size();
    const std::string style = first.substr(styleFrom, first.find('.', styleFrom) - styleFrom);
    return "[" + style + "] " + first.substr(from + open.size(), to - from - open.size());
}

std::string FakeJudgeServer::instructionReplyFor(int64_t seed)
{
    return "\n  Describe item " + std::to_string(seed) + ".  \nThis second line is no instruction.";
}

std::optional<std::string> FakeJudgeServer::answerFor(const std::string& first)
{
    const std::string ask = "Describe item ";
    if (first.rfind(ask, 0) != 0)
        return std::nullopt;
    return "Item " + first.substr(ask.size()) + "\nIt is described in two lines.";
}

int FakeJudgeServer::scoreFor(const std::string& firstUserMessage, double temperature, int64_t seed)
{
    const std::string key = temperature > 0 ? firstUserMessage + "#" + std::to_string(seed) : firstUserMessage;
    return int(fnv1a(key) % 101);
}

std::string FakeJudgeServer::verdictFor(const std::string& firstUserMessage)
{
    static const char* const verdicts[] = {"1", "2", "tie"};
    return verdicts[fnv1a(firstUserMessage) % 3];
}

void FakeJudgeServer::accept()
{
    while (QTcpSocket* socket = server_.nextPendingConnection()) {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
            *buffer += socket->readAll();
            takeRequests(socket, *buffer);
        });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    }
}

// Parses every complete request in `buffer` (keep-alive connections send several).
void FakeJudgeServer::takeRequests(QTcpSocket* socket, QByteArray& buffer)
{
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return;
        const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        Request request{requestLine.value(0), requestLine.value(1).split('?').value(0), {}, {}};
        int length = 0;
        for (const QByteArray& line : lines.mid(1)) {
            const qsizetype colon = line.indexOf(':');
            const QByteArray name = line.left(colon).trimmed().toLower();
            if (name == "content-length")
                length = line.mid(colon + 1).trimmed().toInt();
            else if (name == "authorization")
                request.authorization = line.mid(colon + 1).trimmed();
        }
        if (buffer.size() < headerEnd + 4 + length)
            return;
        request.body = buffer.mid(headerEnd + 4, length);
        buffer.remove(0, headerEnd + 4 + length);
        route(socket, request);
    }
}

void FakeJudgeServer::route(QTcpSocket* socket, const Request& r)
{
    if (faults_.silent || (faults_.silentAfterReplies >= 0 && replies_ >= faults_.silentAfterReplies))
        return;
    if (faults_.notHttp)
        return sendNoise(socket);
    static const std::map<QByteArray, QByteArray> methods = {
        {"/", "GET"},           {"/api/version", "GET"}, {"/api/tags", "GET"},
        {"/api/chat", "POST"},  {"/api/pull", "POST"},   {"/v1/models", "GET"},
        {"/v1/chat/completions", "POST"}};
    const auto known = methods.find(r.path);
    if (known == methods.end())
        return sendWhole(socket, 404, "text/plain", "404 page not found");
    const QByteArray method = r.method == "HEAD" ? QByteArray("GET") : r.method;
    if (method != known->second)
        return sendWhole(socket, 405, "text/plain", "405 method not allowed");
    if (r.path == "/")
        return sendWhole(socket, 200, "text/plain; charset=utf-8", "Ollama is running");
    if (r.path == "/api/version")
        return sendWhole(socket, 200, "application/json; charset=utf-8", goJson({{"version", "0.5.1"}}));
    if (r.path == "/api/tags")
        return sendWhole(socket, 200, "application/json; charset=utf-8", tagsJson());
    if (r.path.startsWith("/v1/") && !apiKey_.isEmpty() && r.authorization != "Bearer " + apiKey_.toUtf8())
        return sendWhole(socket, 401, "application/json; charset=utf-8",
                         goJson({{"error", {{"code", 401}, {"message", "Invalid API Key"}, {"type", "authentication_error"}}}}));
    if (r.path == "/v1/models")
        return sendWhole(socket, 200, "application/json", openAiModelsJson() + "\n");
    if (r.path == "/api/pull")
        return ollamaPull(socket, r);
    if (r.path == "/api/chat")
        return ollamaChat(socket, r);
    openAiChat(socket, r);
}

// One fault per request, the first whose count is left, in the order FakeJudgeFaults lists them.
FakeJudgeServer::Fault FakeJudgeServer::takeFault()
{
    FakeJudgeFaults& f = faults_;
    const std::pair<int*, Fault> order[] = {{&f.busy, Fault::Busy},           {&f.runnerCrash, Fault::RunnerCrash},
                                            {&f.dropMidStream, Fault::Drop},  {&f.errorMidStream, Fault::ErrorLine},
                                            {&f.nonJson, Fault::NonJson},     {&f.outOfRange, Fault::OutOfRange},
                                            {&f.htmlPage, Fault::Html}};
    for (const auto& [count, fault] : order)
        if (*count > 0) {
            --*count;
            return fault;
        }
    return Fault::None;
}

bool FakeJudgeServer::hasModel(const std::string& name) const
{
    for (const QString& m : models_)
        if (normalized(m.toStdString()) == normalized(name))
            return true;
    return false;
}

QByteArray FakeJudgeServer::tagsJson() const
{
    json list = json::array();
    for (const QString& m : models_)
        list.push_back({{"name", m.toStdString()},
                        {"model", m.toStdString()},
                        {"modified_at", "2025-05-04T17:37:44.706015396-07:00"},
                        {"size", 4661224676},
                        {"digest", sha256(m.toStdString()).toStdString()},
                        {"details",
                         {{"parent_model", ""},
                          {"format", "gguf"},
                          {"family", "llama"},
                          {"families", {"llama"}},
                          {"parameter_size", "8.0B"},
                          {"quantization_level", "Q4_0"}}}});
    return goJson({{"models", list}});
}

QByteArray FakeJudgeServer::openAiModelsJson() const
{
    json list = json::array();
    for (const QString& m : models_)
        list.push_back({{"id", m.toStdString()}, {"object", "model"}, {"created", 1735732800}, {"owned_by", "library"}});
    return goJson({{"object", "list"}, {"data", list}});
}

void FakeJudgeServer::ollamaPull(QTcpSocket* socket, const Request& r)
{
    const json body = json::parse(r.body.toStdString(), nullptr, false);
    if (!body.is_object())
        return sendOllamaError(socket, 400, "missing request body");
    const std::string name = body.value("model", body.value("name", ""));
    std::vector<Step> steps{{Step::Data, goJson({{"status", "pulling manifest"}}) + "\n"}};
    if (!pullable_.contains(QString::fromStdString(name)) && !pullable_.contains(QString::fromStdString(normalized(name)))) {
        steps.push_back({Step::Data, goJson({{"error", "pull model manifest: file does not exist"}}) + "\n"});
        steps.push_back({Step::End, {}});
        return playStream(socket, "application/x-ndjson", steps, 0);
    }
    const std::string digest = sha256(normalized(name)).toStdString();
    const int64_t total = 4661211424;
    const json layer = {{"status", "pulling " + digest.substr(0, 12)}, {"digest", "sha256:" + digest}, {"total", total}};
    steps.push_back({Step::Data, goJson(layer) + "\n"});
    for (int64_t completed : {total / 2, total}) {
        json progress = layer;
        progress["completed"] = completed;
        steps.push_back({Step::Data, goJson(progress) + "\n"});
    }
    for (const char* status : {"verifying sha256 digest", "writing manifest", "success"})
        steps.push_back({Step::Data, goJson({{"status", status}}) + "\n"});
    steps.push_back({Step::End, {}});
    models_.append(QString::fromStdString(normalized(name)));
    playStream(socket, "application/x-ndjson", steps, 0);
}

// What Ollama answers before generating anything: a refusal with its real status, or nothing.
std::optional<std::pair<int, std::string>> FakeJudgeServer::ollamaRefusal(const json& body) const
{
    if (body.contains("model") && !body["model"].is_string())
        return {{400, "json: cannot unmarshal number into Go struct field ChatRequest.model of type string"}};
    const std::string model = body.value("model", "");
    if (model.find_first_not_of(' ') == std::string::npos)
        return {{400, "model is required"}};
    if (!hasModel(model))
        return {{404, faults_.legacyNotFound ? "model \"" + model + "\" not found, try pulling it first"
                                             : "model '" + model + "' not found"}};
    const json format = body.value("format", json());
    if (format.is_string() && format != "json" && format != "")
        return {{500, "invalid format: " + json(format.dump()).dump() + "; expected \"json\" or a valid JSON Schema object"}};
    if (const std::string typeError = optionTypeError(body.value("options", json::object())); !typeError.empty())
        return {{500, typeError}};
    return std::nullopt;
}

void FakeJudgeServer::ollamaChat(QTcpSocket* socket, const Request& r)
{
    if (r.body.trimmed().isEmpty())
        return sendOllamaError(socket, 400, "missing request body");
    const json body = json::parse(r.body.toStdString(), nullptr, false);
    if (!body.is_object())
        return sendOllamaError(socket, 400, "invalid character looking for beginning of value");
    ++chatRequests_;
    lastChat_ = body;
    lastAuthorization_ = r.authorization;
    if (const auto refusal = ollamaRefusal(body))
        return sendOllamaError(socket, refusal->first, refusal->second);
    if (body.value("messages", json::array()).empty())
        return sendWhole(socket, 200, "application/json; charset=utf-8",
                         goJson({{"model", body["model"]}, {"created_at", createdAt()},
                                 {"message", {{"role", "assistant"}, {"content", ""}}}, {"done", true},
                                 {"done_reason", "load"}}));
    const Fault fault = takeFault();
    if (fault == Fault::Busy)
        return sendOllamaError(socket, 503, kBusy);
    if (fault == Fault::RunnerCrash)
        return sendOllamaError(socket, 500, kRunnerStopped);
    if (fault == Fault::Html)
        return sendWhole(socket, 200, "text/html", kProxyPage);
    ollamaAnswer(socket, body, fault, r.body.size());
}

void FakeJudgeServer::ollamaAnswer(QTcpSocket* socket, const json& body, Fault fault, qsizetype requestBytes)
{
    const json format = body.value("format", json());
    const json options = body.value("options", json::object());
    const std::string content = replyContent("/api/chat", body, format.is_object() || format == "json", fault,
                                             options.value("temperature", 0.8), options.value("seed", int64_t(-1)));
    const auto chunk = [&](const std::string& piece) {
        return json{{"model", body["model"]}, {"created_at", createdAt()},
                    {"message", {{"role", "assistant"}, {"content", piece}}}, {"done", false}};
    };
    json last = chunk("");
    last["done"] = true;
    last["done_reason"] = "stop";
    last["total_duration"] = 412345678;
    last["load_duration"] = 12345678;
    last["prompt_eval_count"] = int64_t(requestBytes / 4);
    last["prompt_eval_duration"] = 150000000;
    last["eval_count"] = int64_t(pieces(content).size());
    last["eval_duration"] = 50000000;
    if (!body.value("stream", true)) {
        last["message"]["content"] = content;
        QTimer::singleShot(faults_.firstByteDelayMs, socket,
                           [socket, last] { sendWhole(socket, 200, "application/json; charset=utf-8", goJson(last)); });
        return;
    }
    std::vector<Step> steps;
    for (const std::string& piece : pieces(content))
        steps.push_back({Step::Data, goJson(chunk(piece)) + "\n"});
    steps.push_back({Step::Data, goJson(last) + "\n"});
    steps.push_back({Step::End, {}});
    if (fault == Fault::Drop)
        steps = {steps.front(), {Step::Cut, {}}};
    if (fault == Fault::ErrorLine)
        steps = {steps.front(),
                 {Step::Data, goJson({{"error", "an error was encountered while running the model: unexpected EOF"}}) + "\n"},
                 {Step::End, {}}};
    playStream(socket, "application/x-ndjson", steps, faults_.firstByteDelayMs);
}

void FakeJudgeServer::openAiChat(QTcpSocket* socket, const Request& r)
{
    lastAuthorization_ = r.authorization;
    const json body = json::parse(r.body.toStdString(), nullptr, false);
    if (!body.is_object())
        return sendOpenAiError(socket, 400, "invalid character looking for beginning of value");
    ++chatRequests_;
    lastChat_ = body;
    if (body.value("messages", json::array()).empty())
        return sendOpenAiError(socket, 400, "[] is too short - 'messages'");
    const std::string model = body.value("model", "");
    if (!hasModel(model))
        return sendOpenAiError(socket, 404, "model '" + model + "' not found");
    const Fault fault = takeFault();
    if (fault == Fault::Busy)
        return sendOpenAiError(socket, 503, kBusy);
    if (fault == Fault::RunnerCrash)
        return sendOpenAiError(socket, 500, kRunnerStopped);
    if (fault == Fault::Html)
        return sendWhole(socket, 200, "text/html", kProxyPage);
    openAiAnswer(socket, body, fault, r.body.size());
}

void FakeJudgeServer::openAiAnswer(QTcpSocket* socket, const json& body, Fault fault, qsizetype requestBytes)
{
    const std::string formatType = body.contains("response_format") ? body["response_format"].value("type", "") : "";
    const bool structured = formatType == "json_schema" || formatType == "json_object";
    const std::string content = replyContent("/v1/chat/completions", body, structured, fault,
                                             body.value("temperature", 1.0), body.value("seed", int64_t(-1)));
    const json base = {{"id", "chatcmpl-" + std::to_string(fnv1a(content) % 999)},
                       {"created", 1735732800},
                       {"model", body["model"]},
                       {"system_fingerprint", "fp_ollama"}};
    if (!body.value("stream", false)) {
        json whole = base;
        whole["object"] = "chat.completion";
        whole["choices"] = {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}, {"finish_reason", "stop"}}};
        whole["usage"] = {{"prompt_tokens", requestBytes / 4}, {"completion_tokens", 3}, {"total_tokens", requestBytes / 4 + 3}};
        return sendWhole(socket, 200, "application/json", goJson(whole) + "\n");
    }
    const auto event = [&](const json& delta, const json& finish) {
        json chunk = base;
        chunk["object"] = "chat.completion.chunk";
        chunk["choices"] = {{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}};
        return Step{Step::Data, "data: " + goJson(chunk) + "\n\n"};
    };
    std::vector<Step> steps;
    for (const std::string& piece : pieces(content))
        steps.push_back(event(steps.empty() ? json{{"role", "assistant"}, {"content", piece}} : json{{"content", piece}}, nullptr));
    steps.push_back(event(json::object(), "stop"));
    steps.push_back({Step::Data, "data: [DONE]\n\n"});
    steps.push_back({Step::End, {}});
    if (fault == Fault::Drop)
        steps = {steps.front(), {Step::Cut, {}}};
    if (fault == Fault::ErrorLine) // Ollama's OpenAI layer decodes the error line as an empty chunk
        steps = {steps.front(), event(json::object(), nullptr), {Step::End, {}}};
    playStream(socket, "text/event-stream", steps, faults_.firstByteDelayMs);
}

std::string FakeJudgeServer::replyContent(const QByteArray& path, const json& body, bool structured, Fault fault,
                                          double temperature, int64_t seed)
{
    ++replies_;
    const json& messages = body["messages"];
    const std::string first = firstUserMessage(messages);
    if (!answerLog_.isEmpty()) {
        QFile log(answerLog_);
        if (log.open(QIODevice::Append))
            log.write(sha256(first) + "\n");
    }
    if (!requestLog_.isEmpty()) {
        QFile log(requestLog_);
        if (log.open(QIODevice::Append))
            log.write(QByteArray::fromStdString(json{{"path", path.toStdString()}, {"body", body}}.dump()) + "\n");
    }
    if (fault == Fault::NonJson)
        return "I would rate this response as quite good overall.";
    if (asksForInstruction(messages)) {
        if (faults_.blankInstructions > 0) {
            --faults_.blankInstructions;
            return "\n \t\n";
        }
        return instructionReplyFor(seed);
    }
    if (const auto answer = answerFor(first))
        return *answer;
    if (const auto rewrite = rewriteFor(first))
        return *rewrite;
    if (first.find("<answer2>") != std::string::npos) {
        const std::string verdict = faults_.positionBias ? "1" : verdictFor(first);
        return structured ? goJson({{"verdict", verdict}}).toStdString() : verdict;
    }
    const int score = fault == Fault::OutOfRange ? 150 : scoreFor(first, temperature, seed);
    return structured ? goJson({{"score", score}}).toStdString() : std::to_string(score);
}

} // namespace sft::test
