#include "ui/views/answer_detail.h"

#include "core/generate/word_diff.h"
#include "ui/views/diff_html.h"

#include <QGridLayout>
#include <QLabel>
#include <QTextBrowser>

namespace sft::ui {

namespace {

QTextBrowser* makePane(const QString& name, QWidget* parent)
{
    auto* pane = new QTextBrowser(parent);
    pane->setObjectName(name);
    pane->setOpenLinks(false);
    return pane;
}

} // namespace

AnswerDetail::AnswerDetail(const QString& leftTitle, const QString& rightTitle, QWidget* parent)
    : QWidget(parent),
      leftTitle_(new QLabel(this)),
      rightTitle_(new QLabel(this)),
      instruction_(makePane("instructionText", this)),
      left_(makePane("leftText", this)),
      right_(makePane("rightText", this))
{
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Instruction"), this), 0, 0);
    layout->addWidget(leftTitle_, 0, 1);
    layout->addWidget(rightTitle_, 0, 2);
    layout->addWidget(instruction_, 1, 0);
    layout->addWidget(left_, 1, 1);
    layout->addWidget(right_, 1, 2);
    for (int column = 0; column < 3; ++column)
        layout->setColumnStretch(column, 1);
    setTitles(leftTitle, rightTitle);
}

void AnswerDetail::setTitles(const QString& leftTitle, const QString& rightTitle)
{
    leftTitle_->setText(leftTitle);
    rightTitle_->setText(rightTitle);
}

void AnswerDetail::showTexts(const QString& instruction, const std::string& left, const std::string& right)
{
    const std::vector<DiffSpan> spans = diffWords(left, right);
    instruction_->setPlainText(instruction);
    left_->setHtml(diffHtml(spans, DiffSide::Before));
    right_->setHtml(diffHtml(spans, DiffSide::After));
}

void AnswerDetail::clear()
{
    instruction_->clear();
    left_->clear();
    right_->clear();
}

} // namespace sft::ui
