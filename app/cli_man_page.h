#pragma once
// sft-studio(1): the manual page, made from the very text `help` and each `SUBCOMMAND --help`
// print, so the two cannot drift apart. The build writes it with `sft-studio help --man`.

#include <QString>

namespace sft::cli {

QString manPage(); // roff

} // namespace sft::cli
