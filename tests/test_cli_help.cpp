// sft-studio --version and help --man through the binary: the version lines name the commit,
// LibTorch, Qt, the BLAS file the process really loaded and the thread count; each
// `SUBCOMMAND --help` names the subcommand, not the binary's path; the manual page holds
// `help` and every `SUBCOMMAND --help` word for word.

#include "tests/support/test_support.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QThread>
#include <QtTest>

#include <torch/version.h>

using sft::test::runStudio;

namespace {

// The BLAS this test process mapped (it links LibTorch like the binary), as the kernel
// resolved it: libblas.so.3 (the alternative Debian chose) before the libopenblas it may use.
QString mappedBlas()
{
    QFile maps("/proc/self/maps");
    if (!maps.open(QIODevice::ReadOnly))
        return {};
    const QString all = QString::fromUtf8(maps.readAll());
    for (const char* name : {R"(libblas\.so[^/\s]*)", R"(libopenblas[^/\s]*\.so[^/\s]*)"}) {
        const QRegularExpression path(QString(R"((/\S*/%1)$)").arg(name), QRegularExpression::MultilineOption);
        if (const auto m = path.match(all); m.hasMatch())
            return m.captured(1);
    }
    return {};
}

QString git(const QStringList& args)
{
    QProcess p;
    p.setWorkingDirectory(SFT_SOURCE_DIR);
    p.start("git", args);
    if (!p.waitForFinished() || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return {};
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

// Undoes the roff escapes the page uses, to compare with what the terminal shows.
QString plain(QString roff)
{
    return roff.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\");
}

} // namespace

class TestCliHelp : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void versionNamesWhatRuns()
    {
        const auto r = runStudio({"--version"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 5);

        const QRegularExpression first(R"(^SFT Studio (\S+) \(commit (\S+)\)$)");
        const auto m = first.match(lines[0]);
        QVERIFY2(m.hasMatch(), qPrintable(lines[0]));
        QCOMPARE(m.captured(1), QString(SFT_VERSION));
        if (!git({"rev-parse", "HEAD"}).isEmpty()) // a checkout: the commit must be one of its own
            QVERIFY2(!git({"rev-parse", "--verify", m.captured(2) + "^{commit}"}).isEmpty(), qPrintable(lines[0]));

        QCOMPARE(lines[1], QString("LibTorch " TORCH_VERSION));
        QCOMPARE(lines[2], "Qt " + QString(qVersion()));

        const QString blas = mappedBlas();
        QVERIFY2(!blas.isEmpty(), "this test process has no BLAS mapped");
        QVERIFY2(lines[3].startsWith("BLAS " + blas), qPrintable(lines[3] + " vs " + blas));
        if (blas.contains("openblas"))
            QVERIFY2(lines[3].contains("(OpenBLAS "), qPrintable(lines[3]));

        QCOMPARE(lines[4], QString("Threads %1").arg(QThread::idealThreadCount()));
    }

    void manPageHoldsEveryHelpText()
    {
        const auto usage = runStudio({"help"});
        QVERIFY2(usage.exitCode == 0, qPrintable(usage.err));
        const auto man = runStudio({"help", "--man"});
        QVERIFY2(man.exitCode == 0, qPrintable(man.err));
        QVERIFY2(man.out.startsWith(".TH SFT\\-STUDIO 1 "), qPrintable(man.out.left(80)));
        const QString page = plain(man.out);
        QVERIFY(page.contains(usage.out.trimmed()));

        const QString list = usage.out.section("Subcommands:\n", 1).section("\n\n", 0, 0);
        QStringList names;
        for (const QString& line : list.split('\n', Qt::SkipEmptyParts))
            names << line.trimmed().section(' ', 0, 0);
        QVERIFY2(names.size() >= 10, qPrintable(list));
        for (const QString& name : names) {
            const auto help = runStudio({name, "--help"});
            QVERIFY2(help.exitCode == 0, qPrintable(name + ": " + help.err));
            QVERIFY2(help.out.startsWith("Usage: sft-studio " + name + " "), qPrintable(help.out.left(80)));
            QVERIFY2(man.out.contains("\n.SS " + name + "\n"), qPrintable(name));
            QVERIFY2(page.contains(help.out.trimmed()), qPrintable(name + " --help is not in the page"));
        }
    }
};

QTEST_GUILESS_MAIN(TestCliHelp)
#include "test_cli_help.moc"
