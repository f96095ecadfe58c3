#include "ui/views/entry_editor.h"

#include "core/data/dataset.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

namespace sft::ui {

EntryEditor::EntryEditor(QWidget* parent) : QGroupBox(tr("Edit the entry"), parent)
{
    auto* form = new QFormLayout;
    for (const auto& [field, caption] : {std::pair{QStringLiteral("instruction"), tr("Instruction")},
                                         std::pair{QStringLiteral("input"), tr("Input")},
                                         std::pair{QStringLiteral("output"), tr("Output")}}) {
        auto* edit = new QPlainTextEdit;
        edit->setObjectName(field + "Edit");
        edit->setTabChangesFocus(true);
        edit->setMinimumHeight(fontMetrics().height() * 3);
        connect(edit, &QPlainTextEdit::textChanged, this, &EntryEditor::updateButtons);
        form->addRow(caption, edit);
        fields_.emplace_back(field, edit);
    }
    applyButton_ = new QPushButton(tr("Apply"));
    applyButton_->setObjectName("applyEntryButton");
    applyButton_->setToolTip(tr("Apply the edit (Ctrl+Return); it can be undone"));
    revertButton_ = new QPushButton(tr("Revert"));
    revertButton_->setObjectName("revertEntryButton");
    connect(applyButton_, &QPushButton::clicked, this, &EntryEditor::apply);
    connect(revertButton_, &QPushButton::clicked, this, [this] {
        for (size_t i = 0; i < fields_.size(); ++i)
            fields_[i].second->setPlainText(original_[i]);
    });
    auto* shortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    shortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(shortcut, &QShortcut::activated, this, &EntryEditor::apply);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(revertButton_);
    buttons->addWidget(applyButton_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form, 1);
    layout->addLayout(buttons);
    showNothing();
}

void EntryEditor::showEntry(size_t item, const Entry& entry)
{
    item_ = item;
    shown_ = true;
    original_ = {QString::fromStdString(entry.instruction), QString::fromStdString(entry.input),
                 QString::fromStdString(entry.output)};
    for (size_t i = 0; i < fields_.size(); ++i) {
        fields_[i].second->setEnabled(true);
        fields_[i].second->setPlainText(original_[i]);
    }
    setTitle(tr("Edit entry %1").arg(item));
    updateButtons();
}

void EntryEditor::showNothing()
{
    shown_ = false;
    original_.assign(fields_.size(), QString());
    for (const auto& field : fields_) {
        field.second->clear();
        field.second->setEnabled(false);
    }
    setTitle(tr("Edit the entry"));
    updateButtons();
}

bool EntryEditor::hasChanges() const
{
    if (!shown_)
        return false;
    for (size_t i = 0; i < fields_.size(); ++i)
        if (fields_[i].second->toPlainText() != original_[i])
            return true;
    return false;
}

void EntryEditor::apply()
{
    if (!hasChanges())
        return;
    std::vector<std::pair<QString, QString>> changed;
    for (size_t i = 0; i < fields_.size(); ++i) {
        const QString text = fields_[i].second->toPlainText();
        if (text != original_[i])
            changed.emplace_back(fields_[i].first, text);
    }
    for (size_t i = 0; i < fields_.size(); ++i)
        original_[i] = fields_[i].second->toPlainText();
    updateButtons();
    Q_EMIT applyRequested(item_, changed);
}

void EntryEditor::updateButtons()
{
    const bool changes = hasChanges();
    applyButton_->setEnabled(changes);
    revertButton_->setEnabled(changes);
}

} // namespace sft::ui
