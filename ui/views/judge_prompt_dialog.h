#pragma once
// Shows a judge prompt's whole text and lets the user change it. The edited text must keep the
// {response} field (the judge would never see the answer otherwise); the dialog says so and stays
// open until it does.

#include "core/judge/judge_prompt.h"

#include <QDialog>

#include <optional>

class QLabel;
class QPlainTextEdit;

namespace sft::ui {

class JudgePromptDialog : public QDialog {
    Q_OBJECT
public:
    JudgePromptDialog(const JudgePrompt& prompt, QWidget* parent = nullptr);

    // The prompt as accepted: the one shown when its text is unchanged, else a custom one.
    const std::optional<JudgePrompt>& result() const { return result_; }

    void accept() override;

private:
    JudgePrompt original_;
    QPlainTextEdit* text_;
    QLabel* problem_;
    std::optional<JudgePrompt> result_;
};

} // namespace sft::ui
