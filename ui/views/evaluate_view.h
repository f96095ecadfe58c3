#pragma once
// Evaluate: answer the test split with a checkpoint (progress, cancel; answers appear a batch at
// a time, and a cancelled job continues where it stopped), or open an existing responses file; read instruction, reference and model answer side
// by side with the words that differ highlighted; have a judge model score the answers (the
// judge panel), the scores filling a sortable column.

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace sft::ui {

class AnswerDetail;
class AnswerWorker;
class CheckpointPicker;
class JudgePanel;
class ModelPreloader;
class ResponsesTableModel;
class SettingsForm;
class StudioState;

class EvaluateView : public QWidget {
    Q_OBJECT
public:
    explicit EvaluateView(StudioState* state, QWidget* parent = nullptr);

    // Shows a responses file (the chapter's JSON list with an answer field). On failure the
    // status line says why and false is returned.
    bool openResponses(const QString& path);
    QString shownFile() const { return shownFile_; }

public Q_SLOTS:
    void generateAnswers();
    void cancel();

Q_SIGNALS:
    // The selected answer's dataset entry, to edit it (similar: a copy of it, for a new example).
    void entryRequested(const QString& instruction, const QString& input, const QString& reference, bool similar);

private:
    QWidget* buildControls();
    void connectWorker();
    void showAnswerField(const QString& key);
    void showSelectedRow();
    void showExistingAnswers();
    void followRun();
    QString outputPath(const QString& checkpoint);
    void setRunning(bool running);
    void setStatus(const QString& text);
    // The answer job's notes on the dataset (skipped entries, warnings), for the status line.
    QString notesText() const;
    void onFinished(bool ok, bool cancelled, const QString& error);

    StudioState* state_;
    AnswerWorker* worker_;
    ModelPreloader* preloader_; // loads the model picked while the view is shown, before Generate answers
    ResponsesTableModel* rows_;
    QSortFilterProxyModel* sorted_;
    CheckpointPicker* checkpoint_;
    QComboBox* split_;
    QComboBox* template_;
    SettingsForm* generation_; // max new tokens and batch size, from the generation settings table
    QPushButton* generate_;
    QPushButton* cancel_;
    QPushButton* open_;
    QComboBox* answerKey_;
    QProgressBar* progress_;
    QLabel* status_;
    QLabel* modelState_; // the picked model loading in the background, or loaded
    QLabel* file_;
    QTableView* table_;
    AnswerDetail* detail_;
    JudgePanel* judge_;
    QString shownFile_;
    int expectedRows_ = 0;
    QStringList notes_;
    int answeredRows_ = 0;
};

} // namespace sft::ui
