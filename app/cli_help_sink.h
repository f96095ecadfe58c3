#pragma once
// Where --help text goes. While a sink is set, a subcommand's --help writes its text there
// instead of stdout: how the manual page gets each subcommand's help from the subcommand itself.

#include <QString>

namespace sft::cli {

void setHelpSink(QString* sink); // nullptr: stdout again

} // namespace sft::cli
