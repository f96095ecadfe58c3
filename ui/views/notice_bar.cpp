#include "ui/views/notice_bar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace sft::ui {

NoticeBar::NoticeBar(QWidget* parent) : QFrame(parent), label_(new QLabel), buttons_(new QHBoxLayout)
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::ToolTipBase);
    label_->setWordWrap(true);
    label_->setForegroundRole(QPalette::ToolTipText);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(label_, 1);
    layout->addLayout(buttons_);
    hide();
}

void NoticeBar::showNotice(const QString& text, const std::vector<Action>& actions)
{
    // Later: the button whose click led here may still be delivering its signal.
    while (QLayoutItem* item = buttons_->takeAt(0)) {
        item->widget()->hide();
        item->widget()->deleteLater();
        delete item;
    }
    label_->setText(text);
    for (const auto& [caption, action] : actions) {
        auto* button = new QPushButton(caption);
        button->setObjectName("notice:" + caption);
        connect(button, &QPushButton::clicked, this, [this, action = action] {
            hide();
            action();
        });
        buttons_->addWidget(button);
    }
    show();
}

QString NoticeBar::text() const { return isVisible() ? label_->text() : QString(); }

} // namespace sft::ui
