#pragma once
// An entry as the model sees it: its tokens one after another, each coloured by its role in
// training (trained, masked, padding, cut off). Hovering a token shows its ID and text. Each
// token's format carries its position, ID and role, so tests read back exactly what is drawn.

#include "core/data/token_roles.h"

#include <QColor>
#include <QString>
#include <QTextEdit>
#include <QTextFormat>

#include <vector>

namespace sft::ui {

class TokenView : public QTextEdit {
    Q_OBJECT
public:
    enum Property {
        TokenPositionProperty = QTextFormat::UserProperty + 1,
        TokenIdProperty,
        TokenRoleProperty,
    };

    explicit TokenView(QWidget* parent = nullptr);

    // texts[i]: the text of tokens[i]; the sizes match.
    void setTokens(const std::vector<RoledToken>& tokens, const std::vector<QString>& texts);
    void showMessage(const QString& message);

    // Neighbouring tokens alternate between two shades of their role's colour, so that token
    // boundaries stay visible.
    static QColor roleColor(TokenRole role, bool alternate = false);
    static QString roleName(TokenRole role);
};

} // namespace sft::ui
