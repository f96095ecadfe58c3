#include "ui/views/diff_html.h"

namespace sft::ui {

QColor removedBackground() { return QColor(0xff, 0xc8, 0xc4); }
QColor addedBackground() { return QColor(0xbf, 0xec, 0xc6); }

QString diffHtml(const std::vector<DiffSpan>& spans, DiffSide side)
{
    const DiffKind marked = side == DiffSide::Before ? DiffKind::Removed : DiffKind::Added;
    const DiffKind hidden = side == DiffSide::Before ? DiffKind::Added : DiffKind::Removed;
    const QString style = side == DiffSide::Before
                              ? QStringLiteral("background-color:%1; color:#000000; text-decoration:line-through")
                                    .arg(removedBackground().name())
                              : QStringLiteral("background-color:%1; color:#000000").arg(addedBackground().name());
    QString html = QStringLiteral("<div style=\"white-space:pre-wrap\">");
    for (const DiffSpan& span : spans) {
        if (span.kind == hidden)
            continue;
        const QString text = QString::fromStdString(span.text).toHtmlEscaped();
        html += span.kind == marked ? QStringLiteral("<span style=\"%1\">%2</span>").arg(style, text) : text;
    }
    return html + QStringLiteral("</div>");
}

} // namespace sft::ui
