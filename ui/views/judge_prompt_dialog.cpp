#include "ui/views/judge_prompt_dialog.h"

#include "ui/named.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace sft::ui {

JudgePromptDialog::JudgePromptDialog(const JudgePrompt& prompt, QWidget* parent)
    : QDialog(parent), original_(prompt), text_(named(new QPlainTextEdit(this), "promptText")),
      problem_(named(new QLabel(this), "promptProblem"))
{
    setWindowTitle(tr("Judge prompt: %1").arg(QString::fromStdString(prompt.name())));
    auto* help = new QLabel(tr("Sent to the judge once per answer. {prompt} becomes the entry as the model saw it, "
                               "{output} the reference answer and {response} the answer being judged. Changing "
                               "the text makes it a custom prompt; its scores are kept apart from the others."),
                            this);
    help->setWordWrap(true);
    text_->setPlainText(QString::fromStdString(prompt.text()));
    text_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    text_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    problem_->setWordWrap(true);
    problem_->setStyleSheet(QStringLiteral("color: #c03030"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &JudgePromptDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &JudgePromptDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(help);
    layout->addWidget(text_, 1);
    layout->addWidget(problem_);
    layout->addWidget(buttons);
    resize(720, 520);
}

void JudgePromptDialog::accept()
{
    const std::string text = text_->toPlainText().toStdString();
    if (text == original_.text()) {
        result_ = original_;
        QDialog::accept();
        return;
    }
    try {
        result_ = JudgePrompt::custom("custom", text);
    } catch (const std::exception& e) {
        problem_->setText(QString::fromStdString(e.what()));
        return;
    }
    QDialog::accept();
}

} // namespace sft::ui
