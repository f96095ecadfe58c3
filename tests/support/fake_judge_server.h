#pragma once
// A stand-in judge server on 127.0.0.1 for tests, written from shared/reference/ollama-api.md:
// Ollama's /api/version, /api/tags, /api/pull and /api/chat (NDJSON, headers sent with the first
// object, a done/done_reason last line, {"error": ...} bodies with the real status codes, an
// error line mid-stream) and the OpenAI-compatible /v1/models and /v1/chat/completions (SSE
// ending with [DONE]). Its answers are a pure function of the request, so tests know them in
// advance, and it can be told to misbehave in each way a real server does.

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTcpServer>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

class QTcpSocket;

namespace sft::test {

// Counts apply to the next chat requests (either API), one each, in the order listed.
struct FakeJudgeFaults {
    int busy = 0;             // 503 "server busy, please try again.  maximum pending requests exceeded"
    int runnerCrash = 0;      // 500 "model runner has unexpectedly stopped, ..."
    int dropMidStream = 0;    // the connection is cut after the first chunk
    int errorMidStream = 0;   // the first chunk, then an error line and no done line / [DONE]
    int nonJson = 0;          // a reply with no number in it
    int outOfRange = 0;       // a score of 150
    int htmlPage = 0;         // a 200 whose body is an HTML page, as a proxy or captive portal sends
    int firstByteDelayMs = 0; // every chat waits this long before its first byte (model loading)
    int blankInstructions = 0; // the next N requests for a new instruction are answered with blank lines
    int silentAfterReplies = -1; // once this many chats had a reply, every request is read and never answered
    bool positionBias = false;   // pairwise: always prefers the answer shown first
    bool legacyNotFound = false; // Ollama <= 0.11 wording: model "x" not found, try pulling it first
    bool silent = false;         // every request is read and never answered (a hung server)
    bool notHttp = false;        // every request is answered with random bytes, then the connection closed
};

class FakeJudgeServer {
public:
    FakeJudgeServer();
    ~FakeJudgeServer();
    FakeJudgeServer(const FakeJudgeServer&) = delete;
    FakeJudgeServer& operator=(const FakeJudgeServer&) = delete;

    bool listen(quint16 port = 0);
    void close() { server_.close(); } // new connections are refused until listen() again
    quint16 port() const { return server_.serverPort(); }
    std::string url() const;

    void setModels(const QStringList& names) { models_ = names; } // default: llama3:latest
    void setPullable(const QStringList& names) { pullable_ = names; }
    void setFaults(const FakeJudgeFaults& faults) { faults_ = faults; }
    const FakeJudgeFaults& faults() const { return faults_; } // with the counts left
    // /v1 endpoints answer 401 without "Authorization: Bearer KEY", as llama-server --api-key does.
    void setRequiredApiKey(const QString& key) { apiKey_ = key; }
    // Appends the sha256 of the first user message of every chat it answers with a reply.
    void setAnswerLog(const QString& path) { answerLog_ = path; }
    // Appends every chat request it answers with a reply as one line {"path": ..., "body": ...}.
    void setRequestLog(const QString& path) { requestLog_ = path; }

    int chatRequests() const { return chatRequests_; } // with a JSON body: refusals and model loads too
    const nlohmann::json& lastChatRequest() const { return lastChat_; }
    const QByteArray& lastAuthorization() const { return lastAuthorization_; }

    // What the judge answers: a score from a hash of the first user message (and of the seed
    // when temperature > 0); for pairwise prompts "1", "2" or "tie" from the same hash.
    static int scoreFor(const std::string& firstUserMessage, double temperature = 0, int64_t seed = 123);
    static std::string verdictFor(const std::string& firstUserMessage);
    // For a request to rewrite an answer ("correct output `X`, slightly rewrite the output to be
    // more S."): "[S] X".
    static std::optional<std::string> rewriteFor(const std::string& firstUserMessage);
    // For a request for a new instruction (Llama 3's pre-query template as the last, assistant
    // message, as the book's dataset-generation notebook sends it, or a user message starting
    // "Write one new instruction"): "\n  Describe item SEED.  \n" and a second line.
    static std::string instructionReplyFor(int64_t seed);
    // For a first user message "Describe item ...": an answer of two lines naming it.
    static std::optional<std::string> answerFor(const std::string& firstUserMessage);

    struct Request {
        QByteArray method, path, body;
        QByteArray authorization;
    };

private:
    enum class Fault : int;

    void accept();
    void takeRequests(QTcpSocket* socket, QByteArray& buffer);
    void route(QTcpSocket* socket, const Request& request);
    void ollamaChat(QTcpSocket* socket, const Request& request);
    std::optional<std::pair<int, std::string>> ollamaRefusal(const nlohmann::json& body) const;
    void ollamaAnswer(QTcpSocket* socket, const nlohmann::json& body, Fault fault, qsizetype requestBytes);
    void ollamaPull(QTcpSocket* socket, const Request& request);
    void openAiChat(QTcpSocket* socket, const Request& request);
    void openAiAnswer(QTcpSocket* socket, const nlohmann::json& body, Fault fault, qsizetype requestBytes);
    bool hasModel(const std::string& name) const;
    Fault takeFault();
    std::string replyContent(const QByteArray& path, const nlohmann::json& body, bool structured, Fault fault,
                             double temperature, int64_t seed);
    QByteArray tagsJson() const;
    QByteArray openAiModelsJson() const;

    QTcpServer server_;
    QStringList models_{"llama3:latest"};
    QStringList pullable_;
    FakeJudgeFaults faults_;
    QString apiKey_;
    QString answerLog_;
    QString requestLog_;
    int chatRequests_ = 0;
    int replies_ = 0;
    nlohmann::json lastChat_;
    QByteArray lastAuthorization_;
};

} // namespace sft::test
