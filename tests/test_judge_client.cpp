// The judge clients against the stand-in server (tests/support/fake_judge_server), both APIs:
// the wire requests they send, what they read back, and for every fault a real server shows
// the documented status, retry or message.

#include "core/judge/judge_client.h"
#include "core/judge/judge_prompt.h"
#include "core/judge/score_run.h"
#include "tests/support/fake_judge_server.h"

#include <QCryptographicHash>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QtTest>

#include <atomic>
#include <thread>
#include <tuple>

using namespace sft;
using sft::test::FakeJudgeFaults;
using sft::test::FakeJudgeServer;

Q_DECLARE_METATYPE(sft::JudgeApi)

namespace {

const std::string kAnswer = "The car is as fast as a bullet.";

Entry sampleEntry()
{
    Entry e;
    e.instruction = "Rewrite the sentence using a simile.";
    e.input = "The car is very fast.";
    e.output = "The car is as fast as lightning.";
    return e;
}

std::string samplePrompt() { return JudgePrompt::chapter().render(sampleEntry(), kAnswer); }

JudgeServer serverFor(const FakeJudgeServer& fake, JudgeApi api)
{
    JudgeServer s;
    s.url = fake.url();
    s.api = api;
    s.timeouts = {2000, 2000, 2000};
    return s;
}

ChatRequest chatRequest(const nlohmann::json& format)
{
    return {"llama3", {{"user", samplePrompt()}}, SamplingOptions{}, format};
}

ScoreSettings quickRetries(int attempts = 3)
{
    ScoreSettings s;
    s.retry = {attempts, 5, 20};
    return s;
}

std::string expectedDigest(const std::string& name)
{
    return QCryptographicHash::hash(QByteArray::fromStdString(name), QCryptographicHash::Sha256).toHex().toStdString();
}

void addApiColumn()
{
    QTest::addColumn<JudgeApi>("api");
    QTest::newRow("ollama") << JudgeApi::Ollama;
    QTest::newRow("openai") << JudgeApi::OpenAi;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

class TestJudgeClient : public QObject {
    Q_OBJECT

    FakeJudgeServer fake;

    EntryScore judgeWith(const FakeJudgeFaults& faults, JudgeApi api, int attempts = 3)
    {
        fake.setFaults(faults);
        const auto client = makeJudgeClient(serverFor(fake, api));
        return judgeEntry(*client, quickRetries(attempts), sampleEntry(), kAnswer);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(fake.listen()); }

    void init()
    {
        fake.setFaults({});
        fake.setModels({"llama3:latest"});
        fake.setRequiredApiKey({});
    }

    void ollamaReportsVersionModelsAndDigest()
    {
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::Ollama));
        QCOMPARE(client->serverVersion(), std::string("0.5.1"));
        const std::vector<JudgeModel> models = client->models();
        QCOMPARE(models.size(), size_t(1));
        QCOMPARE(models[0].name, std::string("llama3:latest"));
        QCOMPARE(models[0].digest, expectedDigest("llama3:latest"));
        QCOMPARE(models[0].sizeBytes, int64_t(4661224676));
        QVERIFY(findModel(models, "llama3") == &models[0]);
        QVERIFY(findModel(models, "Llama3:latest") == &models[0]);
        QVERIFY(findModel(models, "llama3:70b") == nullptr);
    }

    void openAiListsModelsWithoutVersionOrDigest()
    {
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::OpenAi));
        QCOMPARE(client->serverVersion(), std::string());
        const std::vector<JudgeModel> models = client->models();
        QCOMPARE(models.size(), size_t(1));
        QCOMPARE(models[0].name, std::string("llama3:latest"));
        QVERIFY(models[0].digest.empty());
    }

    void ollamaChatPutsSamplingInsideOptions()
    {
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::Ollama));
        const ChatReply reply = client->chat(chatRequest(scoreSchema()));
        QCOMPARE(reply.content, "{\"score\":" + std::to_string(FakeJudgeServer::scoreFor(samplePrompt())) + "}");
        QCOMPARE(reply.doneReason, std::string("stop"));
        QVERIFY(reply.promptTokens > 0);
        const nlohmann::json& sent = fake.lastChatRequest();
        QVERIFY(sent["options"] == nlohmann::json({{"seed", 123}, {"temperature", 0.0}, {"num_ctx", 2048}, {"num_predict", 128}}));
        QVERIFY(!sent.contains("seed") && !sent.contains("temperature")); // ignored at the top level
        QVERIFY(sent["stream"] == true);
        QVERIFY(sent["format"] == scoreSchema());
        QVERIFY(sent["messages"] == nlohmann::json::array({{{"role", "user"}, {"content", samplePrompt()}}}));
        QVERIFY(fake.lastAuthorization().isEmpty());
    }

    void ollamaChatWithoutSchemaReadsPlainText()
    {
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::Ollama));
        const ChatReply reply = client->chat(chatRequest(nullptr));
        QCOMPARE(reply.content, std::to_string(FakeJudgeServer::scoreFor(samplePrompt())));
        QVERIFY(!fake.lastChatRequest().contains("format"));
    }

    void openAiChatStreamsServerSentEvents()
    {
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::OpenAi));
        const ChatReply reply = client->chat(chatRequest(scoreSchema()));
        QCOMPARE(reply.content, "{\"score\":" + std::to_string(FakeJudgeServer::scoreFor(samplePrompt())) + "}");
        QCOMPARE(reply.doneReason, std::string("stop"));
        const nlohmann::json& sent = fake.lastChatRequest();
        QVERIFY(sent["seed"] == 123 && sent["temperature"] == 0.0 && sent["max_tokens"] == 128);
        QVERIFY(sent["stream"] == true);
        QVERIFY(sent["response_format"]["type"] == "json_schema");
        QVERIFY(sent["response_format"]["json_schema"]["schema"] == scoreSchema());
    }

    void apiKeyTravelsOnlyAsBearerHeader()
    {
        fake.setRequiredApiKey("s3cret-key");
        JudgeServer server = serverFor(fake, JudgeApi::OpenAi);
        try {
            makeJudgeClient(server)->chat(chatRequest(scoreSchema()));
            QFAIL("a missing key must be refused");
        } catch (const JudgeError& e) {
            QCOMPARE(e.kind(), JudgeError::Kind::Refused);
            QCOMPARE(e.httpStatus(), 401);
            QVERIFY2(contains(e.what(), "Invalid API Key") && contains(e.what(), "--api-key-env"), e.what());
        }
        server.apiKey = "s3cret-key";
        const auto client = makeJudgeClient(server);
        client->chat(chatRequest(scoreSchema()));
        QCOMPARE(fake.lastAuthorization(), QByteArray("Bearer s3cret-key"));
        QVERIFY(!contains(fake.lastChatRequest().dump(), "s3cret"));
    }

    // Qt repeats a request's headers to wherever a redirect points; the key stays with the
    // server it was given for.
    void apiKeyIsNotSentOnToAnotherServer()
    {
        fake.setRequiredApiKey({});
        QTcpServer redirector;
        QVERIFY(redirector.listen(QHostAddress::LocalHost));
        const QByteArray target = QByteArray::fromStdString(fake.url()) + "/v1/chat/completions";
        connect(&redirector, &QTcpServer::newConnection, this, [&redirector, target] {
            QTcpSocket* socket = redirector.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket, target] {
                socket->readAll();
                socket->write("HTTP/1.1 307 Temporary Redirect\r\nLocation: " + target +
                              "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                socket->disconnectFromHost();
            });
        });
        JudgeServer server = serverFor(fake, JudgeApi::OpenAi);
        server.url = "http://127.0.0.1:" + std::to_string(redirector.serverPort());
        server.apiKey = "redirected-key";
        QVERIFY_THROWS_EXCEPTION(JudgeError, makeJudgeClient(server)->chat(chatRequest(scoreSchema())));
        QVERIFY(!fake.lastAuthorization().contains("redirected-key"));
    }

    void pullStreamsProgressUntilSuccess()
    {
        fake.setPullable({"tinyllama"});
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::Ollama));
        std::vector<PullProgress> seen;
        client->pull("tinyllama", [&seen](const PullProgress& p) { seen.push_back(p); });
        QCOMPARE(seen.front().status, std::string("pulling manifest"));
        QCOMPARE(seen.back().status, std::string("success"));
        const auto layer = std::find_if(seen.begin(), seen.end(), [](const PullProgress& p) { return p.total > 0; });
        QVERIFY(layer != seen.end());
        QCOMPARE(layer->status, "pulling " + expectedDigest("tinyllama:latest").substr(0, 12));
        QVERIFY(std::any_of(seen.begin(), seen.end(), [](const PullProgress& p) { return p.completed == p.total && p.total > 0; }));
        QVERIFY(findModel(client->models(), "tinyllama") != nullptr);
    }

    void pullOfAnUnknownModelSaysSo()
    {
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::Ollama));
        try {
            client->pull("no-such-model", {});
            QFAIL("pulling an unknown model must fail");
        } catch (const JudgeError& e) {
            QCOMPARE(e.kind(), JudgeError::Kind::Refused);
            QVERIFY2(contains(e.what(), "'no-such-model'") && contains(e.what(), "file does not exist"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(JudgeError, makeJudgeClient(serverFor(fake, JudgeApi::OpenAi))->pull("llama3", {}));
    }

    void loadModelLoadsOrNamesTheMissingModel()
    {
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::Ollama));
        client->loadModel("llama3", SamplingOptions{});
        QVERIFY(fake.lastChatRequest()["messages"].empty());
        QVERIFY_THROWS_EXCEPTION(JudgeError, client->loadModel("mistral", SamplingOptions{}));
    }

    void scoresOnTheFirstAttempt_data() { addApiColumn(); }
    void scoresOnTheFirstAttempt()
    {
        QFETCH(JudgeApi, api);
        const EntryScore e = judgeWith({}, api);
        QCOMPARE(e.status, ScoreStatus::Scored);
        QCOMPARE(e.score, std::optional<double>(FakeJudgeServer::scoreFor(samplePrompt())));
        QCOMPARE(e.attempts, 1);
    }

    void unknownModelIsNotRetriedAndListsTheModels_data() { addApiColumn(); }
    void unknownModelIsNotRetriedAndListsTheModels()
    {
        QFETCH(JudgeApi, api);
        fake.setModels({"llama3:latest", "qwen2.5:7b"});
        const int before = fake.chatRequests();
        ScoreSettings settings = quickRetries();
        settings.model = "mistral";
        try {
            judgeEntry(*makeJudgeClient(serverFor(fake, api)), settings, sampleEntry(), kAnswer);
            QFAIL("an unknown model must stop the run");
        } catch (const JudgeError& e) {
            QCOMPARE(e.kind(), JudgeError::Kind::NotFound);
            QCOMPARE(e.httpStatus(), 404);
            const std::string advice = api == JudgeApi::Ollama ? "pull it" : "load it in the server";
            QCOMPARE(std::string(e.what()), "model 'mistral' is not available on " + fake.url() + "; " +
                                                (api == JudgeApi::Ollama ? std::string("pull it (sft-studio score --pull, or Pull in the app's Evaluate > Judge panel)")
                                                                         : std::string("load it in the server")) +
                                                " or pick one of: llama3:latest, qwen2.5:7b");
            QVERIFY(contains(e.what(), advice));
        }
        QCOMPARE(fake.chatRequests() - before, 1);
    }

    void legacyNotFoundWordingIsAlsoUnderstood()
    {
        FakeJudgeFaults faults;
        faults.legacyNotFound = true;
        fake.setFaults(faults);
        ChatRequest request = chatRequest(scoreSchema());
        request.model = "mistral";
        try {
            makeJudgeClient(serverFor(fake, JudgeApi::Ollama))->chat(request);
            QFAIL("an unknown model must fail");
        } catch (const JudgeError& e) {
            QCOMPARE(e.kind(), JudgeError::Kind::NotFound);
            QVERIFY2(contains(e.what(), "or pick one of: llama3:latest"), e.what());
        }
    }

    void busyServerIsRetriedWithBackoff_data() { addApiColumn(); }
    void busyServerIsRetriedWithBackoff()
    {
        QFETCH(JudgeApi, api);
        FakeJudgeFaults faults;
        faults.busy = 2;
        const int before = fake.chatRequests();
        const EntryScore e = judgeWith(faults, api);
        QCOMPARE(e.status, ScoreStatus::Scored);
        QCOMPARE(e.attempts, 3);
        QCOMPARE(fake.chatRequests() - before, 3);
        QCOMPARE(e.score, std::optional<double>(FakeJudgeServer::scoreFor(samplePrompt())));
    }

    void busyServerFailsTheEntryAfterTheLastAttempt_data() { addApiColumn(); }
    void busyServerFailsTheEntryAfterTheLastAttempt()
    {
        QFETCH(JudgeApi, api);
        FakeJudgeFaults faults;
        faults.busy = 5;
        const EntryScore e = judgeWith(faults, api);
        QCOMPARE(e.status, ScoreStatus::Failed);
        QVERIFY(!e.score);
        QCOMPARE(e.attempts, 3);
        QVERIFY2(contains(e.problem, "answered 503: server busy"), e.problem.c_str());
        QCOMPARE(fake.faults().busy, 2);
    }

    void crashedRunnerIsRetried_data() { addApiColumn(); }
    void crashedRunnerIsRetried()
    {
        QFETCH(JudgeApi, api);
        FakeJudgeFaults faults;
        faults.runnerCrash = 1;
        const EntryScore e = judgeWith(faults, api);
        QCOMPARE(e.status, ScoreStatus::Scored);
        QCOMPARE(e.attempts, 2);
    }

    void droppedConnectionIsRetried_data() { addApiColumn(); }
    void droppedConnectionIsRetried()
    {
        QFETCH(JudgeApi, api);
        FakeJudgeFaults faults;
        faults.dropMidStream = 1;
        QCOMPARE(judgeWith(faults, api).attempts, 2);
        faults.dropMidStream = 3;
        const EntryScore e = judgeWith(faults, api);
        QCOMPARE(e.status, ScoreStatus::Failed);
        // The partial reply ("{\"sc") is never read as a score. Depending on when the cut reaches
        // Qt, it reports a broken connection or a body that ends without its end marker.
        const std::string endMissing = api == JudgeApi::Ollama ? "ended before its last line (no \"done\": true)"
                                                               : "ended without its closing [DONE]";
        QVERIFY2(contains(e.problem, endMissing) || contains(e.problem, "broke in the middle of the answer"),
                 e.problem.c_str());
    }

    void errorLineMidStreamIsAFailureNotAScore_data() { addApiColumn(); }
    void errorLineMidStreamIsAFailureNotAScore()
    {
        QFETCH(JudgeApi, api);
        FakeJudgeFaults faults;
        faults.errorMidStream = 3;
        const EntryScore e = judgeWith(faults, api);
        QCOMPARE(e.status, ScoreStatus::Failed);
        QCOMPARE(e.attempts, 3);
        const std::string expected = api == JudgeApi::Ollama ? "stopped the answer with an error: an error was encountered"
                                                             : "ended without its closing [DONE]";
        QVERIFY2(contains(e.problem, expected), e.problem.c_str());
        faults.errorMidStream = 1;
        QCOMPARE(judgeWith(faults, api).status, ScoreStatus::Scored);
    }

    void replyWithoutANumberIsRetriedWithAReminder_data() { addApiColumn(); }
    void replyWithoutANumberIsRetriedWithAReminder()
    {
        QFETCH(JudgeApi, api);
        FakeJudgeFaults faults;
        faults.nonJson = 1;
        const EntryScore e = judgeWith(faults, api);
        QCOMPARE(e.status, ScoreStatus::Scored);
        QCOMPARE(e.attempts, 2);
        const nlohmann::json& messages = fake.lastChatRequest()["messages"];
        QCOMPARE(messages.size(), size_t(3));
        QVERIFY(messages[1]["role"] == "assistant" && messages[1]["content"] == "I would rate this response as quite good overall.");
        QVERIFY(messages[2]["content"] == scoreReminder());
    }

    void unreadableRepliesMakeTheEntryUnparseable_data() { addApiColumn(); }
    void unreadableRepliesMakeTheEntryUnparseable()
    {
        QFETCH(JudgeApi, api);
        FakeJudgeFaults faults;
        faults.nonJson = 3;
        EntryScore e = judgeWith(faults, api);
        QCOMPARE(e.status, ScoreStatus::Unparseable);
        QVERIFY(!e.score);
        QCOMPARE(e.attempts, 3);
        QCOMPARE(e.replies, std::vector<std::string>{"I would rate this response as quite good overall."});
        QCOMPARE(e.problem, std::string("no number in the reply"));

        faults = {};
        faults.outOfRange = 3;
        e = judgeWith(faults, api);
        QCOMPARE(e.status, ScoreStatus::Unparseable);
        QCOMPARE(e.replies, std::vector<std::string>{"{\"score\":150}"});
        QCOMPARE(e.problem, std::string("score 150 is outside 0..100"));
    }

    void slowModelLoadWithinTheFirstByteTimeoutIsFine()
    {
        FakeJudgeFaults faults;
        faults.firstByteDelayMs = 400; // longer than the connect timeout, shorter than first-byte
        fake.setFaults(faults);
        JudgeServer server = serverFor(fake, JudgeApi::Ollama);
        server.timeouts = {150, 3000, 150};
        const ChatReply reply = makeJudgeClient(server)->chat(chatRequest(scoreSchema()));
        QCOMPARE(reply.doneReason, std::string("stop"));
    }

    void serverThatNeverAnswersStopsTheRun_data() { addApiColumn(); }
    void serverThatNeverAnswersStopsTheRun()
    {
        QFETCH(JudgeApi, api);
        FakeJudgeFaults faults;
        faults.firstByteDelayMs = 2000;
        fake.setFaults(faults);
        JudgeServer server = serverFor(fake, api);
        server.timeouts = {1000, 150, 1000};
        const int before = fake.chatRequests();
        try {
            judgeEntry(*makeJudgeClient(server), quickRetries(2), sampleEntry(), kAnswer);
            QFAIL("a server that never answers must stop the run");
        } catch (const JudgeError& e) {
            QCOMPARE(e.kind(), JudgeError::Kind::Timeout);
            QVERIFY2(contains(e.what(), "sent nothing for 0.15 s after the request"), e.what());
        }
        QCOMPARE(fake.chatRequests() - before, 2);
    }

    void serverThatIsDownIsUnreachable()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        JudgeServer server;
        server.url = "http://127.0.0.1:" + std::to_string(closed.serverPort());
        closed.close();
        try {
            judgeEntry(*makeJudgeClient(server), quickRetries(2), sampleEntry(), kAnswer);
            QFAIL("a server that is down must stop the run");
        } catch (const JudgeError& e) {
            QCOMPARE(e.kind(), JudgeError::Kind::Unreachable);
            QVERIFY2(contains(e.what(), "no server answers at " + server.url), e.what());
        }
    }

    void cancelStopsAWaitingRequest()
    {
        FakeJudgeFaults faults;
        faults.firstByteDelayMs = 5000;
        fake.setFaults(faults);
        JobControl job;
        QTimer::singleShot(100, [&job] { job.requestCancel(); });
        QElapsedTimer clock;
        clock.start();
        QVERIFY_THROWS_EXCEPTION(Cancelled, makeJudgeClient(serverFor(fake, JudgeApi::Ollama))->chat(chatRequest(scoreSchema()), &job));
        QVERIFY(clock.elapsed() < 2000);
    }

    void worksFromAThreadWithoutAnEventLoop()
    {
        // The GUI's worker and the CLI both call the client where no event loop is running.
        const auto client = makeJudgeClient(serverFor(fake, JudgeApi::Ollama));
        std::atomic<bool> finished{false};
        std::string content;
        std::thread worker([&] {
            content = client->chat(chatRequest(scoreSchema())).content;
            finished = true;
        });
        QTRY_VERIFY_WITH_TIMEOUT(finished.load(), 5000); // the server lives on this thread
        worker.join();
        QCOMPARE(content, "{\"score\":" + std::to_string(FakeJudgeServer::scoreFor(samplePrompt())) + "}");
    }

    void wrongApiPointsAtTheApiChoice()
    {
        // An OpenAI-only server behind --api ollama: the message must point at the API choice.
        JudgeServer server = serverFor(fake, JudgeApi::Ollama);
        server.url = fake.url() + "/v1";
        try {
            makeJudgeClient(server)->chat(chatRequest(scoreSchema()));
            QFAIL("a wrong path must fail");
        } catch (const JudgeError& e) {
            QCOMPARE(e.kind(), JudgeError::Kind::NotFound);
            QVERIFY2(contains(e.what(), "404 page not found") && contains(e.what(), "--api ollama or openai"), e.what());
        }
    }

    // The stand-in's own wire behaviour, as ollama-api.md describes Ollama's.
    void standInSpeaksOllamasWireFormat()
    {
        const auto exchange = [this](const QByteArray& method, const QString& path, const QByteArray& body) {
            HttpRequest request{method.toStdString(), fake.url() + path.toStdString(), body.toStdString(), {}};
            QByteArray received;
            const HttpResponse r = httpExchange(
                request, {1000, 1000, 1000},
                [&](const HttpResponse&, std::string_view bytes) { received.append(bytes.data(), qsizetype(bytes.size())); },
                nullptr);
            return std::make_tuple(r.status, QByteArray::fromStdString(r.contentType()), received);
        };
        QCOMPARE(exchange("GET", "/", {}), std::make_tuple(200, QByteArray("text/plain; charset=utf-8"), QByteArray("Ollama is running")));
        QCOMPARE(exchange("GET", "/api/chat", {}), std::make_tuple(405, QByteArray("text/plain"), QByteArray("405 method not allowed")));
        QCOMPARE(exchange("GET", "/nope", {}), std::make_tuple(404, QByteArray("text/plain"), QByteArray("404 page not found")));
        QCOMPARE(std::get<2>(exchange("POST", "/api/chat", {})), QByteArray(R"({"error":"missing request body"})"));
        QCOMPARE(std::get<2>(exchange("POST", "/api/chat", R"({"messages":[{"role":"user","content":"x"}]})")),
                 QByteArray(R"({"error":"model is required"})"));
        const auto badOption = exchange("POST", "/api/chat", R"({"model":"llama3","options":{"temperature":"0"}})");
        QCOMPARE(std::get<0>(badOption), 500);
        QCOMPARE(std::get<2>(badOption), QByteArray("{\"error\":\"option \\\"temperature\\\" must be of type float32\"}"));
        QCOMPARE(std::get<0>(exchange("POST", "/api/chat", R"({"model":"llama3","format":"xml","messages":[{"role":"user","content":"x"}]})")), 500);

        const auto streamed = exchange("POST", "/api/chat", R"({"model":"llama3","messages":[{"role":"user","content":"x"}]})");
        QCOMPARE(std::get<1>(streamed), QByteArray("application/x-ndjson"));
        const QList<QByteArray> lines = std::get<2>(streamed).trimmed().split('\n');
        QVERIFY(lines.size() >= 2);
        const nlohmann::json last = nlohmann::json::parse(lines.last().toStdString());
        QVERIFY(last["done"] == true && last["done_reason"] == "stop" && last["message"]["content"] == "");
        QVERIFY(nlohmann::json::parse(lines.first().toStdString())["done"] == false);

        const auto whole = exchange("POST", "/api/chat", R"({"model":"llama3","stream":false,"messages":[{"role":"user","content":"x"}]})");
        QCOMPARE(std::get<1>(whole), QByteArray("application/json; charset=utf-8"));
        QVERIFY(nlohmann::json::parse(std::get<2>(whole).toStdString())["message"]["content"] ==
                std::to_string(FakeJudgeServer::scoreFor("x", 0.8, -1)));
        QVERIFY(nlohmann::json::parse(std::get<2>(exchange("POST", "/api/chat", R"({"model":"llama3"})")))["done_reason"] == "load");
    }
};

QTEST_GUILESS_MAIN(TestJudgeClient)
#include "test_judge_client.moc"
