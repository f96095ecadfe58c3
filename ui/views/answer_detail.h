#pragma once
// Three texts side by side: what was asked, and two answers to it with their word differences
// highlighted (the reference and the model's answer, or the answers of two models).

#include <QWidget>

#include <string>

class QLabel;
class QTextBrowser;

namespace sft::ui {

class AnswerDetail : public QWidget {
    Q_OBJECT
public:
    // The panes are named instructionText, leftText and rightText.
    AnswerDetail(const QString& leftTitle, const QString& rightTitle, QWidget* parent = nullptr);

    void setTitles(const QString& leftTitle, const QString& rightTitle);
    // left is the earlier text of the diff (its removed words marked), right the later one.
    void showTexts(const QString& instruction, const std::string& left, const std::string& right);
    void clear();

private:
    QLabel* leftTitle_;
    QLabel* rightTitle_;
    QTextBrowser* instruction_;
    QTextBrowser* left_;
    QTextBrowser* right_;
};

} // namespace sft::ui
