#include "tests/support/test_support.h"

#include <QFileInfo>
#include <QProcess>
#include <QtTest>

namespace sft::test {

std::string sharedPath(const std::string& relative)
{
    return std::string(SFT_SHARED_DIR) + "/" + relative;
}

bool sharedAvailable() { return QFileInfo::exists(QString::fromStdString(sharedPath("data"))); }

ProcessResult runStudio(const QStringList& args, int timeoutMs)
{
    QProcess process;
    process.start(QStringLiteral(SFT_BINARY), args);
    ProcessResult result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = QStringLiteral("timed out: sft-studio %1").arg(args.join(' '));
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace sft::test
