#pragma once
// Playground: type an instruction (and an optional input), see the exact prompt the template
// makes of it, and watch a checkpoint's answer appear token by token; with a second checkpoint
// chosen, both answers side by side.

#include <QElapsedTimer>
#include <QWidget>

#include <array>
#include <optional>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace sft::ui {

class CheckpointPicker;
class ModelPreloader;
class PlaygroundWorker;
class SettingsForm;
class StudioState;

class PlaygroundView : public QWidget {
    Q_OBJECT
public:
    explicit PlaygroundView(StudioState* state, QWidget* parent = nullptr);

    // The exact text given to the model; empty when the template cannot be read.
    QString promptText() const;

public Q_SLOTS:
    void generateAnswers();
    void stop();

protected:
    // The chosen models start loading when the view is shown, and again whenever the choice
    // changes while it is, so that Generate finds them loaded.
    void showEvent(QShowEvent* event) override;

private:
    void preloadChosen();
    QWidget* buildSettings();
    QWidget* buildAnswers();
    void connectWorker();
    void updatePrompt();
    void showAnswer(int side, const QString& text, int tokens);
    void drawPending();
    void onFinished(bool ok, bool cancelled, const QString& error);
    void setRunning(bool running);

    StudioState* state_;
    PlaygroundWorker* worker_;
    ModelPreloader* preloader_;
    QPlainTextEdit* instruction_;
    QPlainTextEdit* input_;
    QComboBox* template_;
    CheckpointPicker* checkpoint_;
    CheckpointPicker* compareWith_;
    SettingsForm* decoding_; // max new tokens, temperature, top-k, seed: the generation settings' rows
    QPushButton* generate_;
    QPushButton* stop_;
    QPlainTextEdit* prompt_;
    std::array<QString, 2> names_;
    std::array<QLabel*, 2> titles_;
    std::array<QPlainTextEdit*, 2> answers_;
    QWidget* secondAnswer_;
    QLabel* status_;
    // Tokens may come faster than a screen can show them: the text is redrawn at most every
    // kRedrawMs, the latest text waiting here.
    struct Pending {
        QString text;
        int tokens = 0;
    };
    std::array<std::optional<Pending>, 2> pending_;
    QTimer* redraw_;
    QElapsedTimer sinceDraw_;
};

} // namespace sft::ui
