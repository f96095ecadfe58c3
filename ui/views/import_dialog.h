#pragma once
// What an import needs to know beyond the file: for a table, which column is the instruction,
// the input and the output (guessed from the header, changeable); for conversations, what to do
// with a system message and with conversations of several turns.

#include "core/data/dataset_import.h"

#include <QString>

#include <optional>

class QWidget;

namespace sft::ui {

// None when the user cancels, or the file's format cannot be told (a message says why).
std::optional<ImportOptions> askImportOptions(QWidget* parent, const QString& path);

} // namespace sft::ui
