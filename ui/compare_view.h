#pragma once
// Compare: two runs, or two checkpoints, side by side: their loss curves overlaid, their answers
// to the same test entries with the words that differ highlighted, and only the settings in
// which they differ.

#include <QWidget>

#include <array>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace sft::ui {

class AnswerDetail;
class RunsLossChart;
class StudioState;

class CompareView : public QWidget {
    Q_OBJECT
public:
    explicit CompareView(StudioState* state, QWidget* parent = nullptr);

    // Each path: a run folder (holding run.json), or a checkpoint in one (RUN/checkpoints/NAME),
    // which picks that checkpoint's answers (RUN/responses-NAME.json).
    void setRuns(const QString& a, const QString& b);

private:
    struct Side {
        QLineEdit* path;
        QComboBox* responses; // the run's responses-*.json files
        QString run;
    };

    QWidget* buildSide(size_t index, const QString& title);
    void choose(size_t index, const QString& path);
    void reload();
    void showCurves(QStringList& problems);
    void showSettings(QStringList& problems);
    void showAnswers();
    void showSelectedPair();

    StudioState* state_;
    std::array<Side, 2> sides_;
    RunsLossChart* chart_;
    QTableWidget* answers_;
    AnswerDetail* detail_;
    QLabel* answersSummary_;
    QTableWidget* settings_;
    QLabel* settingsSummary_;
    QLabel* status_;
};

} // namespace sft::ui
