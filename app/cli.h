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
bool isSubcommand(const QString& word);
// Runs one subcommand; every sft::Error becomes one line on stderr and exit code 1.
int run(const QStringList& args);

} // namespace sft::cli
