#pragma once
// Picks a model to run: the model in use, a checkpoint of the current run, or any model folder
// the user browses to. Follows the shared state, so a new run's checkpoints show up at once.

#include <QComboBox>

namespace sft::ui {

class StudioState;

class CheckpointPicker : public QComboBox {
    Q_OBJECT
public:
    // noneText: when not empty, a first entry meaning "no model" (an optional second choice).
    CheckpointPicker(StudioState* state, const QString& noneText = {}, QWidget* parent = nullptr);

    QString currentPath() const; // empty for the "no model" entry
    // Selects path, adding it to the list when it is not there.
    void setCurrentPath(const QString& path);
    // A short name for files and titles: the folder name of a checkpoint.
    static QString nameOf(const QString& path);

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void pathChanged(const QString& path);

protected:
    // A run gains checkpoints while it trains; they are listed when the picker is shown again.
    void showEvent(QShowEvent* event) override;

private:
    void addChoice(const QString& label, const QString& path);
    // Emits pathChanged when the chosen model is another than before (the browse item is none).
    void announce();
    void onActivated(int index);

    StudioState* state_;
    QString noneText_;
    QStringList browsed_;
    QString lastPath_;
};

} // namespace sft::ui
