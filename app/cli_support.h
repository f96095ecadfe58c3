#pragma once
// What every subcommand shares: option parsing with --help, value conversion with clear
// messages, progress on stderr (a bar on a terminal, plain lines otherwise).

#include "core/util/job_control.h"

#include <QCommandLineParser>
#include <QString>

#include <cstdint>
#include <string>

namespace sft::cli {

// A usage mistake: printed with a hint to --help, exit code 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Options {
public:
    Options(const QString& command, const QString& description);
    // name may be "epochs" or "e,epochs"; valueName empty means a flag.
    void add(const QString& names, const QString& help, const QString& valueName = {},
             const QString& defaultValue = {});
    void addPositional(const QString& name, const QString& help);
    // Parses; returns false when --help was printed (the command should exit 0).
    bool parse(const QStringList& args);

    bool isSet(const QString& name) const;
    std::string text(const QString& name) const;           // value or default
    std::string required(const QString& name) const;       // UsageError when missing
    int64_t integer(const QString& name, int64_t min, int64_t max) const;
    double real(const QString& name, double min, double max) const;
    QStringList positional() const { return parser_.positionalArguments(); }

private:
    QString command_;
    QCommandLineParser parser_;
};

// Progress on stderr. On a terminal a redrawn bar with rate and ETA; otherwise one plain
// line per ~5% so logs stay readable.
class Progress {
public:
    enum class Amounts { Counts, Bytes }; // Bytes: sizes and rates in kB, MB, GB
    explicit Progress(std::string unit, Amounts amounts = Amounts::Counts);
    ~Progress();
    // Measures the rate from `done` on, for work that continues what an earlier run did.
    void resumeFrom(int64_t done) { baseline_ = done; }
    void update(int64_t done, int64_t total, const std::string& label = {});
    void message(const std::string& line); // a full line above the bar
    void clearLine();                      // before writing to stdout on a shared terminal
    void finish();
    ProgressFn callback();
    // For work that continues a stopped run: the first report says how much was done already.
    ProgressFn resumingCallback();
    NoteFn noteCallback();

private:
    std::string amountsText(int64_t done, int64_t total) const;
    std::string rateText(double rate) const;

    std::string unit_;
    Amounts amounts_;
    int64_t baseline_ = 0;
    bool terminal_;
    int64_t lastPlainPercent_ = -1;
    double startSeconds_;
    bool barShown_ = false;
};

// Ctrl-C asks the running job to stop between steps instead of killing the process.
JobControl& interruptibleJob();

} // namespace sft::cli
