#pragma once
// Word differences drawn as rich text: one pane shows the earlier text with its removed words
// marked, the other the later text with its added words marked.

#include "core/generate/word_diff.h"

#include <QColor>
#include <QString>

#include <vector>

namespace sft::ui {

enum class DiffSide { Before, After };

// Fixed light colours with dark text, legible in the light and the dark palette alike.
QColor removedBackground();
QColor addedBackground();

// HTML for a QTextDocument: whitespace and line breaks as in the text, markup escaped.
QString diffHtml(const std::vector<DiffSpan>& spans, DiffSide side);

} // namespace sft::ui
