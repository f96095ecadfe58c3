#pragma once
// The stand-in judge server (build/tests/fake_judge_server) as a child process of a test, for
// tests of the CLI against it; killed with the object. The test target defines SFT_FAKE_JUDGE,
// the server binary's path.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace sft::test {

class JudgeProcess {
public:
    // args: the server's options (--first-byte-delay-ms, --models, ...). It prints its port.
    explicit JudgeProcess(const QStringList& args)
    {
        process_.start(QStringLiteral(SFT_FAKE_JUDGE), args);
        process_.waitForStarted();
        QByteArray line;
        while (!line.contains('\n') && process_.waitForReadyRead(5000))
            line += process_.readAllStandardOutput();
        url_ = "http://127.0.0.1:" + QString::fromLatin1(line.trimmed().split(' ').last());
    }
    ~JudgeProcess() { kill(); }
    JudgeProcess(const JudgeProcess&) = delete;
    JudgeProcess& operator=(const JudgeProcess&) = delete;

    void kill()
    {
        process_.kill();
        process_.waitForFinished();
    }
    const QString& url() const { return url_; }

private:
    QProcess process_;
    QString url_;
};

} // namespace sft::test
