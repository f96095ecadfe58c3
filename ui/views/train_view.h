#pragma once
// The Train view: every setting of the core trainer in one form with presets (the chapter's
// settings first, the rest, LoRA included, under "Advanced"), a line saying how many parameters
// the run trains and whether its memory need fits, Start / Pause / Stop / Resume, the live loss
// chart (for DPO, the rewards of chosen and rejected answers too; a run in several processes
// does not pause), learning rate and gradient norm per step, progress with tokens/s and ETA,
// the epoch-end sample and a log. Opening a run redraws its charts from metrics.jsonl and
// steps.jsonl; Resume continues it from its last checkpoint.

#include <QWidget>

#include <cstdint>
#include <string>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace sft {
struct EvalPoint;
struct StepPoint;
struct TrainOptions;
} // namespace sft

namespace sft::ui {

class LossChart;
class RewardChart;
class SettingsForm;
class StepChart;
class JobRunner;
class StudioState;
class TrainWorker;

class TrainView : public QWidget {
    Q_OBJECT
public:
    explicit TrainView(StudioState* state, QWidget* parent = nullptr);
    ~TrainView() override; // remembers the form for the next start

    TrainWorker* worker() const { return worker_; }
    // Starts a run with the form's settings; false (and a message) when something is missing.
    bool startTraining();
    void togglePause();
    void stopTraining();
    // Continues the run in the run folder field (an opened, stopped or killed run; a finished
    // one for the "more epochs" count); false (and a message) when there is none.
    bool resumeTraining();
    // Shows the run in runDir: its settings, its charts redrawn from metrics.jsonl and
    // steps.jsonl, and its log of evaluations and how it ended.
    void openRun(const QString& runDir);
    // Starts a new run with the model, dataset and settings of the one in runDir, into a new
    // folder; false (and a message) when that run cannot be read or started again.
    bool runAgain(const QString& runDir);

    enum class Preset { Chapter7, QuickTest };
    void applyPreset(Preset preset);
    // Presets of the user's own: the form's settings kept under a name, listed after the
    // built-in ones. Saving under a taken name replaces that preset.
    void savePreset(const QString& name);
    bool applySavedPreset(const QString& name);
    void deletePreset(const QString& name);
    QStringList savedPresets() const;
    // The settings in the form, as a run would record them, and back.
    TrainOptions formOptions() const;
    // The form's settings kept in the user's settings: the next start shows the last ones.
    void rememberForm() const;
    void restoreForm();
    void showOptions(const TrainOptions& options);
    void showTrainLossKind(const TrainOptions& options);
    // Times one training step of the form's run on this machine (a worker loads the model and
    // takes a warm-up step, then a timed one); the plan line then gives the time per epoch.
    bool measureSpeed();
    JobRunner* speedJob() const { return speedJob_; }

private:
    QWidget* buildForm();
    QWidget* buildPresetRow();
    void listPresets(const QString& current);
    QWidget* buildAdvanced();
    // DPO's settings, shown while the method is dpo; switching the method swaps the learning
    // rate, weight decay and epochs between the methods' defaults where they still hold those.
    QWidget* buildDpoBox();
    void followMethod();
    QWidget* buildMonitor();
    // The trainingPlan line: what the form's run trains and needs, from the model's config file.
    void updateTrainingPlan();
    // What a measured speed holds for: the model, dataset and settings it was measured with.
    QString speedKey() const;
    void onStep(const StepPoint& point, double etaSeconds);
    void onEvaluation(const EvalPoint& point);
    void onResumed(int64_t stepsDone, const std::vector<StepPoint>& steps, const std::vector<EvalPoint>& evals);
    void clearMonitor();
    void onFinished(bool ok, bool cancelled, const QString& error);
    // processes: how many the started run has; a run of several cannot pause.
    void setRunning(bool running, int64_t processes = 1);
    void showPausable(bool running, int64_t processes);
    void log(const QString& text);
    QString newRunFolder() const;

    StudioState* state_;
    TrainWorker* worker_;
    LossChart* chart_;
    StepChart* stepChart_;
    RewardChart* rewardChart_;
    QWidget* dpoBox_;
    std::string method_ = "sft";
    QLineEdit* model_;
    QLineEdit* dataset_;
    QLineEdit* runDir_;
    QComboBox* preset_;
    QToolButton* presetMenu_;
    SettingsForm* form_;
    QLabel* trainingPlan_;
    QPushButton* measure_;
    JobRunner* speedJob_;
    QString speed_, speedFor_;
    qint64 plannedLength_ = 0;
    QComboBox* xAxis_;
    QPushButton* start_;
    QPushButton* pause_;
    QPushButton* stop_;
    QPushButton* resume_;
    QSpinBox* moreEpochs_;
    QProgressBar* progress_;
    QLabel* status_;
    QPlainTextEdit* sample_;
    QPlainTextEdit* log_;
};

} // namespace sft::ui
