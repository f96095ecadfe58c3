#include "app/cli_support.h"

#include "app/cli_help_sink.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLocale>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <utility>

namespace sft::cli {

namespace {

QString* helpSink = nullptr;

double nowSeconds()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string formatDuration(double seconds)
{
    if (!(seconds >= 0) || seconds > 1e7)
        return "--:--";
    const auto s = int64_t(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", (long long)(s / 3600), (long long)(s / 60 % 60), (long long)(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld", (long long)(s / 60), (long long)(s % 60));
    return buf;
}

QString helpText(const QCommandLineParser& parser, const QString& command)
{
    // Qt names the executable as it was started (a path); the user types the subcommand.
    QString text = parser.helpText();
    const QString started = "Usage: " + QCoreApplication::arguments().value(0);
    if (text.startsWith(started))
        text.replace(0, started.size(), "Usage: sft-studio " + command);
    return text;
}

} // namespace

void setHelpSink(QString* sink) { helpSink = sink; }

Options::Options(const QString& command, const QString& description) : command_(command)
{
    parser_.setApplicationDescription(description);
    parser_.addHelpOption();
}

void Options::add(const QString& names, const QString& help, const QString& valueName,
                  const QString& defaultValue)
{
    QCommandLineOption option(names.split(','), help, valueName, defaultValue);
    parser_.addOption(option);
}

void Options::addPositional(const QString& name, const QString& help)
{
    parser_.addPositionalArgument(name, help);
}

bool Options::parse(const QStringList& args)
{
    QStringList full = args;
    full[0] = "sft-studio " + command_;
    if (!parser_.parse(full))
        throw UsageError(parser_.errorText().toStdString());
    if (parser_.isSet("help")) {
        if (helpSink)
            *helpSink = helpText(parser_, command_);
        else
            std::fputs(helpText(parser_, command_).toLocal8Bit().constData(), stdout);
        return false;
    }
    return true;
}

bool Options::isSet(const QString& name) const { return parser_.isSet(name); }

std::string Options::text(const QString& name) const { return parser_.value(name).toStdString(); }

std::string Options::required(const QString& name) const
{
    const QString value = parser_.value(name);
    if (value.isEmpty())
        throw UsageError("missing --" + name.toStdString());
    return value.toStdString();
}

int64_t Options::integer(const QString& name, int64_t min, int64_t max) const
{
    bool ok = false;
    const qlonglong value = parser_.value(name).toLongLong(&ok);
    if (!ok || value < min || value > max)
        throw UsageError("--" + name.toStdString() + " must be an integer from " + std::to_string(min) +
                         " to " + std::to_string(max) + ", not '" + parser_.value(name).toStdString() + "'");
    return value;
}

double Options::real(const QString& name, double min, double max) const
{
    bool ok = false;
    const double value = parser_.value(name).toDouble(&ok);
    if (!ok || !(value >= min && value <= max))
        throw UsageError("--" + name.toStdString() + " must be a number from " + std::to_string(min) + " to " +
                         std::to_string(max) + ", not '" + parser_.value(name).toStdString() + "'");
    return value;
}

Progress::Progress(std::string unit, Amounts amounts)
    : unit_(std::move(unit)), amounts_(amounts), terminal_(isatty(STDERR_FILENO)), startSeconds_(nowSeconds())
{
}

Progress::~Progress() { finish(); }

void Progress::update(int64_t done, int64_t total, const std::string& label)
{
    const double elapsed = nowSeconds() - startSeconds_;
    const double rate = elapsed > 0 ? double(done - baseline_) / elapsed : 0.0;
    const double eta = rate > 0 && total > 0 ? double(total - done) / rate : -1;
    const int64_t percent = total > 0 ? std::clamp<int64_t>(done * 100 / total, 0, 100) : 0;
    char line[256];
    if (terminal_) {
        const int width = 30;
        const int filled = int(percent * width / 100);
        std::string bar(size_t(filled), '#');
        bar.resize(size_t(width), '.');
        std::snprintf(line, sizeof line, "\r[%s] %3lld%% %s  %s  ETA %s %s\x1b[K", bar.c_str(), (long long)percent,
                      amountsText(done, total).c_str(), rateText(rate).c_str(), formatDuration(eta).c_str(),
                      label.c_str());
        std::fputs(line, stderr);
        barShown_ = true;
    } else if (percent / 5 != lastPlainPercent_ / 5 || done == total) {
        if (percent == lastPlainPercent_)
            return;
        std::snprintf(line, sizeof line, "%3lld%% %s, %s, ETA %s %s\n", (long long)percent,
                      amountsText(done, total).c_str(), rateText(rate).c_str(), formatDuration(eta).c_str(),
                      label.c_str());
        std::fputs(line, stderr);
        lastPlainPercent_ = percent;
    }
    std::fflush(stderr);
}

std::string Progress::amountsText(int64_t done, int64_t total) const
{
    if (amounts_ == Amounts::Counts)
        return std::to_string(done) + "/" + std::to_string(total) + " " + unit_;
    const auto size = [](int64_t bytes) {
        return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat).toStdString();
    };
    return total >= 0 ? size(done) + " of " + size(total) : size(done);
}

std::string Progress::rateText(double rate) const
{
    if (amounts_ == Amounts::Bytes)
        return QLocale::c().formattedDataSize(int64_t(rate), 1, QLocale::DataSizeSIFormat).toStdString() + "/s";
    char text[64];
    std::snprintf(text, sizeof text, "%.1f %s/s", rate, unit_.c_str());
    return text;
}

void Progress::clearLine()
{
    if (barShown_)
        std::fputs("\r\x1b[K", stderr);
}

void Progress::message(const std::string& line)
{
    clearLine();
    std::fputs((line + "\n").c_str(), stderr);
    std::fflush(stderr);
}

void Progress::finish()
{
    if (barShown_) {
        std::fputs("\n", stderr);
        barShown_ = false;
    }
}

ProgressFn Progress::callback()
{
    return [this](int64_t done, int64_t total, const std::string& label) { update(done, total, label); };
}

ProgressFn Progress::resumingCallback()
{
    return [this, resumed = false](int64_t done, int64_t total, const std::string& label) mutable {
        if (!std::exchange(resumed, true))
            resumeFrom(done);
        update(done, total, label);
    };
}

NoteFn Progress::noteCallback()
{
    return [this](const std::string& line) { message(line); };
}

JobControl& interruptibleJob()
{
    static JobControl job;
    static bool installed = false;
    if (!installed) {
        installed = true;
        // A second Ctrl-C falls back to the default action, so a stuck job can still be killed.
        std::signal(SIGINT, [](int) {
            job.requestCancel();
            std::signal(SIGINT, SIG_DFL);
        });
    }
    return job;
}

} // namespace sft::cli
