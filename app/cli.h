#pragma once
// The headless half of sft-studio: `sft-studio SUBCOMMAND ...`.

#include <QStringList>

#include <functional>
#include <vector>

namespace sft::cli {

struct Command {
    QString name;
    QString summary;
    std::function<int(const QStringList& args)> run; // args[0] is the subcommand name
};

const std::vector<Command>& commands();
// Subcommands plus help and --version: the words that keep the desktop app from starting.
bool isSubcommand(const QString& word);
// What `sft-studio help` prints: how to call the binary and each subcommand's summary.
QString usageText();
// Runs one subcommand; every sft::Error becomes one line on stderr and exit code 1.
int run(const QStringList& args);

} // namespace sft::cli
