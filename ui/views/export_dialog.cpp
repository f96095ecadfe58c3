#include "ui/views/export_dialog.h"

#include "core/jobs/export_job.h"
#include "ui/named.h"
#include "ui/workers/job_runner.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

#include <memory>

namespace sft::ui {

namespace {

enum FormatChoice { HuggingFace, Gguf };

} // namespace

ExportDialog::ExportDialog(const QString& run, StudioState* state, QWidget* parent)
    : QDialog(parent),
      run_(run),
      checkpoint_(named(new QComboBox(this), "exportCheckpoint")),
      format_(named(new QComboBox(this), "exportFormat")),
      matrices_(named(new QComboBox(this), "exportMatrices")),
      out_(named(new QLineEdit(this), "exportOut")),
      status_(named(new QLabel(this), "exportStatus")),
      export_(named(new QPushButton(tr("Export"), this), "exportStart")),
      job_(new JobRunner(tr("Exporting a model"), state, this))
{
    setWindowTitle(tr("Export %1").arg(QFileInfo(run).fileName()));
    QStringList checkpoints = QDir(run + "/checkpoints").entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    // The model the run ended with first, then the best one, then the periodic ones.
    for (const QString& first : {QStringLiteral("best"), QStringLiteral("final")})
        if (checkpoints.removeAll(first) > 0)
            checkpoints.prepend(first);
    checkpoint_->addItems(checkpoints);
    format_->addItems({tr("Hugging Face folder (safetensors)"), tr("GGUF with an Ollama Modelfile")});
    matrices_->addItems({tr("f32 (exact)"), tr("f16 (half the size)")});
    auto* browse = new QToolButton(this);
    browse->setText(tr("…"));
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(out_, 1);
    outRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Checkpoint:"), checkpoint_);
    form->addRow(tr("Format:"), format_);
    form->addRow(tr("GGUF matrices:"), matrices_);
    form->addRow(tr("Write to:"), outRow);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(export_, QDialogButtonBox::ActionRole);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(status_);
    layout->addWidget(buttons);

    connect(checkpoint_, &QComboBox::currentIndexChanged, this, &ExportDialog::suggestOutput);
    connect(format_, &QComboBox::currentIndexChanged, this, &ExportDialog::suggestOutput);
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString path = format_->currentIndex() == Gguf
                                 ? QFileDialog::getSaveFileName(this, tr("GGUF file"), out_->text(), tr("GGUF (*.gguf)"))
                                 : QFileDialog::getExistingDirectory(this, tr("Folder to create the model in"));
        if (!path.isEmpty())
            out_->setText(path);
    });
    connect(export_, &QPushButton::clicked, this, &ExportDialog::startExport);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(job_, &JobRunner::started, this, [this] { export_->setEnabled(false); });
    connect(job_, &JobRunner::finished, this, [this](bool ok, bool, const QString& error) {
        export_->setEnabled(true);
        if (!ok)
            status_->setText(tr("Not exported: %1").arg(error));
    });
    suggestOutput();
    export_->setEnabled(!checkpoints.isEmpty());
    if (checkpoints.isEmpty())
        status_->setText(tr("This run has no checkpoint yet."));
}

// Beside the run, named for the checkpoint: RUN/export/final-hf, RUN/export/final.gguf.
void ExportDialog::suggestOutput()
{
    matrices_->setEnabled(format_->currentIndex() == Gguf);
    const QString name = checkpoint_->currentText();
    out_->setText(QDir(run_).filePath(format_->currentIndex() == Gguf ? "export/" + name + ".gguf" : "export/" + name + "-hf"));
}

bool ExportDialog::startExport()
{
    if (checkpoint_->currentText().isEmpty() || out_->text().isEmpty())
        return false;
    ExportJob job;
    job.model = QDir(run_).filePath("checkpoints/" + checkpoint_->currentText()).toStdString();
    job.format = format_->currentIndex() == Gguf ? ExportJob::Format::Gguf : ExportJob::Format::HuggingFace;
    job.matrices = matrices_->currentIndex() == 1 ? ExportJob::Matrices::F16 : ExportJob::Matrices::F32;
    job.out = out_->text().toStdString();
    QDir().mkpath(QFileInfo(out_->text()).path());
    status_->setText(tr("Exporting…"));
    return job_->start([this, job] {
        const auto result = std::make_shared<ExportResult>(runExport(job));
        job_->post([this, result] {
            QStringList files;
            for (const std::string& file : result->files)
                files << QString::fromStdString(file);
            QString text = tr("Wrote %1.").arg(files.join(", "));
            if (!result->ollamaName.empty())
                text += ' ' + tr("To run it in Ollama: ollama create %1 -f %2")
                                  .arg(QString::fromStdString(result->ollamaName), QString::fromStdString(result->modelfile));
            status_->setText(text);
        });
    });
}

} // namespace sft::ui
