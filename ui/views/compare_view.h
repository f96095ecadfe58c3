#pragma once
// Compare: runs, or checkpoints, side by side: the loss curves of two or more runs overlaid and
// the settings in which they differ (each value that differs from run A's marked); the answers of
// two of them (A and B) to the same test entries with the words that differ highlighted. Where
// both answer files have judge scores, each entry shows both scores and their difference, with
// the mean difference and its 95% interval.

#include <QWidget>

#include <array>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableWidget;

namespace sft {
struct AnswerPairing;
}

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
    // The first two are A and B; the rest join the loss curves and the settings (C, D, …).
    void compareRuns(const QStringList& runs);

private:
    struct Side {
        QLineEdit* path;
        QComboBox* responses; // the run's responses-*.json files
        QComboBox* scores;    // the judge's scores of the chosen answers (scores-*.json)
        QString run;
    };

    QWidget* buildSide(size_t index, const QString& title);
    QWidget* buildChartTab();
    // The runs on the chart and in the settings: A, B, then the others; with their letters.
    std::vector<std::pair<QString, QString>> lettered() const;
    void choose(size_t index, const QString& path);
    void reload();
    void showCurves(QStringList& problems);
    void showSettings(QStringList& problems);
    void listScores(size_t index);
    void showAnswers();
    using SideScores = std::array<std::vector<std::optional<double>>, 2>; // per side, in its file's order
    SideScores loadScores(QStringList& problems) const;
    void fillAnswerRows(const AnswerPairing& pairing, const SideScores& scores);
    void showScoreSummary(const AnswerPairing& pairing, const SideScores& scores);
    void showSelectedPair();

    StudioState* state_;
    std::array<Side, 2> sides_;
    QStringList others_; // beyond A and B
    QLabel* othersLabel_;
    RunsLossChart* chart_;
    QTableWidget* answers_;
    AnswerDetail* detail_;
    QLabel* answersSummary_;
    QLabel* scoreSummary_;
    QTableWidget* settings_;
    QLabel* settingsSummary_;
    QLabel* status_;
};

} // namespace sft::ui
