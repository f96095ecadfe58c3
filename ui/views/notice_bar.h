#pragma once
// A line across the top of a view that needs the user's answer without blocking the window:
// "unsaved edits were found — Restore / Discard", "the file changed on disk — Reload / Keep mine".

#include <QFrame>

#include <functional>
#include <utility>
#include <vector>

class QHBoxLayout;
class QLabel;

namespace sft::ui {

class NoticeBar : public QFrame {
    Q_OBJECT
public:
    using Action = std::pair<QString, std::function<void()>>;
    explicit NoticeBar(QWidget* parent = nullptr);

    // Replaces what is shown; each button runs its action, then the bar hides.
    void showNotice(const QString& text, const std::vector<Action>& actions);
    QString text() const;

private:
    QLabel* label_;
    QHBoxLayout* buttons_;
};

} // namespace sft::ui
