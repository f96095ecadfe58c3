#pragma once
// The selected entry's fields, editable as whole multi-line texts (a table cell shows one line).
// Changes are applied as one undo step by Apply (Ctrl+Return), or when another entry is picked,
// so typed text is never dropped silently.

#include <QGroupBox>

#include <utility>
#include <vector>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace sft {
struct Entry;
}

namespace sft::ui {

class EntryEditor : public QGroupBox {
    Q_OBJECT
public:
    explicit EntryEditor(QWidget* parent = nullptr);

    // The entry at this position of the file; none: nothing to edit.
    void showEntry(size_t item, const Entry& entry);
    void showNothing();
    bool hasChanges() const;
    // Applies what was typed (applyRequested) when it differs from the entry shown.
    void apply();

Q_SIGNALS:
    void applyRequested(size_t item, const std::vector<std::pair<QString, QString>>& fieldTexts);

private:
    void updateButtons();

    size_t item_ = 0;
    bool shown_ = false;
    std::vector<std::pair<QString, QPlainTextEdit*>> fields_;
    std::vector<QString> original_;
    QPushButton* applyButton_;
    QPushButton* revertButton_;
};

} // namespace sft::ui
