#include "app/cli_man_page.h"

#include "app/cli.h"
#include "app/cli_help_sink.h"

#include <QStringList>

namespace sft::cli {

namespace {

// Collects --help text while it lives.
struct HelpCapture {
    QString text;
    HelpCapture() { setHelpSink(&text); }
    ~HelpCapture() { setHelpSink(nullptr); }
};

QString helpOf(const Command& command)
{
    HelpCapture capture;
    command.run({command.name, "--help"});
    return capture.text;
}

// Text shown as printed (no filling): backslashes and hyphens escaped, and a line starting
// with a dot or quote kept from being read as a request.
QString verbatim(const QString& text)
{
    QStringList lines;
    for (QString line : text.trimmed().split('\n')) {
        line.replace('\\', "\\e").replace('-', "\\-");
        if (line.startsWith('.') || line.startsWith('\''))
            line.prepend("\\&");
        lines << line;
    }
    return ".nf\n" + lines.join('\n') + "\n.fi\n";
}

} // namespace

QString manPage()
{
    QString page = ".TH SFT\\-STUDIO 1 \"\" \"SFT Studio " SFT_VERSION "\" \"User Commands\"\n"
                   ".SH NAME\n"
                   "sft\\-studio \\- supervised instruction fine\\-tuning of GPT\\-2 models: desktop app and "
                   "command line\n"
                   ".SH SYNOPSIS\n" +
                   verbatim(usageText()) +
                   ".SH DESCRIPTION\n"
                   "Without a subcommand \\fBsft\\-studio\\fR opens the desktop app, with the dataset or run "
                   "folder given, if any. With a subcommand it runs headless: progress on stderr, results on "
                   "stdout or in files, errors as one line on stderr and a non\\-zero exit code.\n"
                   ".SH SUBCOMMANDS\n";
    for (const Command& c : commands())
        page += ".SS " + c.name + "\n" + verbatim(helpOf(c));
    return page;
}

} // namespace sft::cli
