#pragma once
// Evaluate's judge panel: which server and model judge the answers (the model list comes from the
// server, a missing model can be pulled with progress), with which prompt, and the scores once
// they come: mean with its 95% interval, the unscored entries counted apart, and a histogram.
// Scores are stored beside the responses file (see scores_location.h): judging again continues
// where the last run stopped, and reopening the file shows them. When no server answers, the
// panel says so and nothing else is affected. An API key stays in its field for the session;
// with Remember ticked it is kept, for its server address, in a file only the user can read.

#include "core/judge/judge_prompt.h"
#include "core/judge/score_run.h"

#include <QWidget>

#include <optional>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace sft::ui {

class JudgeWorker;
class ScoreHistogramChart;
class SettingsForm;
class StudioState;

class JudgePanel : public QWidget {
    Q_OBJECT
public:
    explicit JudgePanel(StudioState* state, QWidget* parent = nullptr);
    ~JudgePanel() override;

    // The answers to judge; an empty path means there are none (the panel shows why Score is off).
    // Scores stored for them earlier are shown at once.
    void setResponses(const QString& path, const QString& key);
    // While answers are being generated there is nothing complete to judge.
    void setAnswersBusy(bool busy);

    JudgeWorker* worker() const { return worker_; }
    QString scoresPath() const; // where Score writes for the current setup

public Q_SLOTS:
    void refreshModels();
    void pullModel();
    void score();
    void cancel();

Q_SIGNALS:
    // One score per entry of the responses file, in file order (nullopt: not scored); empty
    // when there are none to show.
    void scoresChanged(const std::vector<std::optional<double>>& scores);

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* buildServerBox();
    QWidget* buildScoringBox();
    void connectWorker();
    JudgeServer server() const;
    JudgePrompt prompt() const;
    // The model, prompt and sampling chosen; not where the answers and scores are.
    ScoreSettings scoreSettings() const;
    void choosePrompt(int index);
    void editPrompt();
    void showStored(const QString& scoresFile);
    // `stats` of `entries`, computed where they were obtained (the worker computes its own).
    void showEntries(const std::vector<EntryScore>& entries, const ScoreStats& stats);
    bool confirmSetup(const QString& out, bool& restart);
    void onFinished(bool ok, bool cancelled, const QString& error);
    void setJob(const QString& job);
    void updateEnabled();
    void setStatus(const QString& text);
    void saveSettings() const;
    void loadRememberedKey();
    void storeKey();

    StudioState* state_;
    JudgeWorker* worker_;
    QLineEdit* url_;
    QComboBox* api_;
    QLineEdit* apiKey_;
    QCheckBox* rememberKey_;
    QComboBox* model_;
    QPushButton* refresh_;
    QPushButton* pull_;
    QLabel* server_;
    QComboBox* promptChoice_;
    QPushButton* editPrompt_;
    SettingsForm* sampling_; // samples and temperature, from the judge settings table
    QPushButton* score_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QLabel* status_;
    QLabel* summary_;
    ScoreHistogramChart* histogram_;

    std::optional<JudgePrompt> customPrompt_;
    QString responses_, key_;
    QString shown_; // the scores file whose entries are shown
    QString job_; // "list", "pull", "score" or empty
    bool answersBusy_ = false;
    bool probed_ = false;
    std::vector<EntryScore> entries_;
};

} // namespace sft::ui
