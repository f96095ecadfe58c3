// The stand-in judge server as a process of its own, so a test can kill it half-way through a
// scoring run and start it again. Prints "listening on PORT" once it accepts connections.

#include "tests/support/fake_judge_server.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription("Stand-in Ollama / OpenAI-compatible judge server for tests");
    parser.addHelpOption();
    const QList<QCommandLineOption> options = {
        {"port", "port on 127.0.0.1 (0: any free one)", "N", "0"},
        {"models", "comma-separated models it has", "NAMES", "llama3:latest"},
        {"pullable", "comma-separated models /api/pull can fetch", "NAMES"},
        {"first-byte-delay-ms", "wait before the first byte of every chat", "MS", "0"},
        {"busy", "answer the next N chats with 503", "N", "0"},
        {"answer-log", "append the sha256 of each answered prompt to FILE", "FILE"},
        {"request-log", "append each answered chat request to FILE as a line of JSON", "FILE"},
        {"blank-instructions", "answer the next N requests for a new instruction with blank lines", "N", "0"},
        {"silent-after", "after N chats with a reply, read every request and never answer", "N", "-1"},
        {"api-key", "require this bearer key on /v1/chat/completions", "KEY"},
    };
    parser.addOptions(options);
    parser.process(app);

    sft::test::FakeJudgeServer server;
    server.setModels(parser.value("models").split(',', Qt::SkipEmptyParts));
    server.setPullable(parser.value("pullable").split(',', Qt::SkipEmptyParts));
    sft::test::FakeJudgeFaults faults;
    faults.firstByteDelayMs = parser.value("first-byte-delay-ms").toInt();
    faults.busy = parser.value("busy").toInt();
    faults.blankInstructions = parser.value("blank-instructions").toInt();
    faults.silentAfterReplies = parser.value("silent-after").toInt();
    server.setFaults(faults);
    server.setAnswerLog(parser.value("answer-log"));
    server.setRequestLog(parser.value("request-log"));
    server.setRequiredApiKey(parser.value("api-key"));
    if (!server.listen(quint16(parser.value("port").toUInt()))) {
        std::fprintf(stderr, "fake_judge_server: cannot listen on port %s\n", qPrintable(parser.value("port")));
        return 1;
    }
    std::printf("listening on %u\n", unsigned(server.port()));
    std::fflush(stdout);
    return app.exec();
}
