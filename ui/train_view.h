#pragma once
// The Train view: every setting of the core trainer in one form with presets, Start / Pause /
// Stop, the live loss chart, progress with tokens/s and ETA, the epoch-end sample and a log.
// Opening a finished or stopped run redraws its chart from metrics.jsonl.

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace sft {
struct EvalPoint;
struct StepPoint;
struct TrainOptions;
} // namespace sft

namespace sft::ui {

class LossChart;
class StudioState;
class TrainWorker;

class TrainView : public QWidget {
    Q_OBJECT
public:
    explicit TrainView(StudioState* state, QWidget* parent = nullptr);

    TrainWorker* worker() const { return worker_; }
    // Starts a run with the form's settings; false (and a message) when something is missing.
    bool startTraining();
    void togglePause();
    void stopTraining();
    // Shows the run in runDir: its settings, and its chart redrawn from metrics.jsonl.
    void openRun(const QString& runDir);

    enum class Preset { Chapter7, QuickTest };
    void applyPreset(Preset preset);

private:
    QWidget* buildForm();
    QWidget* buildMonitor();
    TrainOptions formOptions() const;
    void showOptions(const TrainOptions& options);
    void onStep(const StepPoint& point, double etaSeconds);
    void onEvaluation(const EvalPoint& point);
    void onFinished(bool ok, bool cancelled, const QString& error);
    void setRunning(bool running);
    void log(const QString& text);
    QString newRunFolder() const;

    StudioState* state_;
    TrainWorker* worker_;
    LossChart* chart_;
    QLineEdit* model_;
    QLineEdit* dataset_;
    QLineEdit* runDir_;
    QComboBox* preset_;
    QSpinBox* epochs_;
    QSpinBox* batchSize_;
    QLineEdit* learningRate_;
    QDoubleSpinBox* weightDecay_;
    QDoubleSpinBox* beta1_;
    QDoubleSpinBox* beta2_;
    QSpinBox* evalFreq_;
    QSpinBox* evalIter_;
    QSpinBox* seed_;
    QSpinBox* maxLength_;
    QComboBox* template_;
    QCheckBox* shuffle_;
    QSpinBox* maxSteps_;
    QCheckBox* fullHead_;
    QComboBox* xAxis_;
    QPushButton* start_;
    QPushButton* pause_;
    QPushButton* stop_;
    QProgressBar* progress_;
    QLabel* status_;
    QPlainTextEdit* sample_;
    QPlainTextEdit* log_;
};

} // namespace sft::ui
