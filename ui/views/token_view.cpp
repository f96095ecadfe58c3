#include "ui/views/token_view.h"

#include <QTextCursor>
#include <QTextDocument>

namespace sft::ui {

namespace {

constexpr QChar kNewlineMark = u'\u21b5'; // ↵, so that a newline token has something to colour

QString visible(const QString& text)
{
    QString shown = text;
    return shown.replace(u'\n', QString(kNewlineMark) + u'\n');
}

QString escaped(const QString& text)
{
    QString shown = text;
    shown.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'\n', QStringLiteral("\\n"))
        .replace(u'\t', QStringLiteral("\\t"));
    return shown.toHtmlEscaped();
}

QString roleMeaning(TokenRole role)
{
    switch (role) {
    case TokenRole::Trained:
        return TokenView::tr("trained: the loss is taken on predicting it");
    case TokenRole::Masked:
        return TokenView::tr("masked: no loss on predicting it");
    case TokenRole::Padding:
        return TokenView::tr("padding: ignored by the loss");
    case TokenRole::CutOff:
        return TokenView::tr("cut off by the max length: the model never sees it");
    }
    return {};
}

} // namespace

TokenView::TokenView(QWidget* parent) : QTextEdit(parent)
{
    setReadOnly(true);
    setUndoRedoEnabled(false);
    setLineWrapMode(QTextEdit::WidgetWidth);
}

void TokenView::setTokens(const std::vector<RoledToken>& tokens, const std::vector<QString>& texts)
{
    QTextDocument* doc = document();
    doc->clear();
    QTextCursor cursor(doc);
    cursor.beginEditBlock();
    for (size_t i = 0; i < tokens.size(); ++i) {
        const RoledToken& token = tokens[i];
        QTextCharFormat format;
        format.setBackground(roleColor(token.role, i % 2 == 1));
        format.setForeground(QColor(Qt::black));
        format.setFontStrikeOut(token.role == TokenRole::CutOff);
        format.setToolTip(tr("<b>Token %1</b> (position %2)<br><code>\"%3\"</code><br>%4")
                              .arg(token.id)
                              .arg(i)
                              .arg(escaped(texts[i]), roleMeaning(token.role)));
        format.setProperty(TokenPositionProperty, qlonglong(i));
        format.setProperty(TokenIdProperty, qlonglong(token.id));
        format.setProperty(TokenRoleProperty, int(token.role));
        cursor.insertText(visible(texts[i]), format);
    }
    cursor.endEditBlock();
    moveCursor(QTextCursor::Start);
}

void TokenView::showMessage(const QString& message)
{
    setPlainText(message);
}

QColor TokenView::roleColor(TokenRole role, bool alternate)
{
    switch (role) {
    case TokenRole::Trained:
        return alternate ? QColor(0xa9, 0xe0, 0xa9) : QColor(0xc8, 0xf0, 0xc8);
    case TokenRole::Masked:
        return alternate ? QColor(0xcf, 0xcf, 0xcf) : QColor(0xe4, 0xe4, 0xe4);
    case TokenRole::Padding:
        return alternate ? QColor(0xb8, 0xcc, 0xf0) : QColor(0xd4, 0xe0, 0xf8);
    case TokenRole::CutOff:
        return alternate ? QColor(0xf0, 0xb0, 0xb0) : QColor(0xf8, 0xcc, 0xcc);
    }
    return {};
}

QString TokenView::roleName(TokenRole role)
{
    switch (role) {
    case TokenRole::Trained:
        return tr("Trained");
    case TokenRole::Masked:
        return tr("Masked");
    case TokenRole::Padding:
        return tr("Padding");
    case TokenRole::CutOff:
        return tr("Cut off");
    }
    return {};
}

} // namespace sft::ui
