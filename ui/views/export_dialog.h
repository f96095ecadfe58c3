#pragma once
// Export… from the runs library: a checkpoint of the run as a Hugging Face GPT-2 folder
// (safetensors), or as a GGUF file with an Ollama Modelfile beside it, written by a worker with
// the same call as `sft-studio export`.

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace sft::ui {

class JobRunner;
class StudioState;

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    ExportDialog(const QString& run, StudioState* state, QWidget* parent = nullptr);

    JobRunner* job() const { return job_; }
    // Exports what the dialog shows; false (and a message in the dialog) when it cannot start.
    bool startExport();

private:
    void suggestOutput();

    QString run_;
    QComboBox* checkpoint_;
    QComboBox* format_;
    QComboBox* matrices_;
    QLineEdit* out_;
    QLabel* status_;
    QPushButton* export_;
    JobRunner* job_;
};

} // namespace sft::ui
