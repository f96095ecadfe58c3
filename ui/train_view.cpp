#include "ui/train_view.h"

#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/train/train_options.h"
#include "core/train/trainer.h"
#include "ui/loss_chart.h"
#include "ui/studio_state.h"
#include "ui/train_worker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace sft::ui {

namespace {

QSpinBox* spin(int low, int high, const char* name)
{
    auto* box = new QSpinBox;
    box->setRange(low, high);
    box->setObjectName(name);
    return box;
}

QDoubleSpinBox* realSpin(double low, double high, int decimals, const char* name)
{
    auto* box = new QDoubleSpinBox;
    box->setRange(low, high);
    box->setDecimals(decimals);
    box->setSingleStep(std::pow(10.0, -decimals + 1));
    box->setObjectName(name);
    return box;
}

// A path field with a Browse button; `pick` runs the dialog and returns the choice.
QWidget* pathRow(QLineEdit* edit, std::function<QString()> pick)
{
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* browse = new QToolButton;
    browse->setText(QObject::tr("…"));
    QObject::connect(browse, &QToolButton::clicked, edit, [edit, pick] {
        if (const QString path = pick(); !path.isEmpty())
            edit->setText(path);
    });
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    return row;
}

QString duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("–");
    const qint64 s = qint64(std::llround(seconds));
    return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

} // namespace

TrainView::TrainView(StudioState* state, QWidget* parent)
    : QWidget(parent), state_(state), worker_(new TrainWorker(state, this))
{
    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(buildForm());
    splitter->addWidget(buildMonitor());
    splitter->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(worker_, &TrainWorker::stepDone, this, &TrainView::onStep);
    connect(worker_, &TrainWorker::evaluated, this, &TrainView::onEvaluation);
    connect(worker_, &TrainWorker::sampled, this, [this](qint64 epoch, const QString& text) {
        sample_->setPlainText(tr("After epoch %1:\n%2").arg(epoch).arg(text));
        log(tr("Sample after epoch %1: %2").arg(epoch).arg(text));
    });
    connect(worker_, &TrainWorker::message, this, &TrainView::log);
    connect(worker_, &TrainWorker::runSaved, this, [this](const QString& checkpoint, bool stopped, qint64 steps) {
        log((stopped ? tr("Stopped after %1 steps; model saved to %2") : tr("Finished %1 steps; model saved to %2"))
                .arg(steps)
                .arg(checkpoint));
        state_->setRunPath(runDir_->text());
    });
    connect(worker_, &TrainWorker::finished, this, &TrainView::onFinished);
    connect(state_, &StudioState::modelPathChanged, model_, &QLineEdit::setText);
    connect(state_, &StudioState::datasetPathChanged, dataset_, &QLineEdit::setText);
    model_->setText(state_->modelPath());
    dataset_->setText(state_->datasetPath());
    applyPreset(Preset::Chapter7);
    setRunning(false);
}

QWidget* TrainView::buildForm()
{
    model_ = new QLineEdit;
    model_->setObjectName("model");
    model_->setPlaceholderText(tr("model folder or gpt2-small … gpt2-xl"));
    dataset_ = new QLineEdit;
    dataset_->setObjectName("dataset");
    runDir_ = new QLineEdit;
    runDir_->setObjectName("runDir");
    runDir_->setPlaceholderText(tr("new folder (default: a dated folder under Documents)"));
    preset_ = new QComboBox;
    preset_->setObjectName("preset");
    preset_->addItems({tr("Chapter 7 defaults"), tr("Quick test")});
    connect(preset_, &QComboBox::activated, this, [this](int i) { applyPreset(Preset(i)); });
    epochs_ = spin(1, 10000, "epochs");
    batchSize_ = spin(1, 4096, "batchSize");
    learningRate_ = new QLineEdit;
    learningRate_->setObjectName("learningRate");
    learningRate_->setValidator(new QDoubleValidator(1e-12, 1, 12, learningRate_));
    weightDecay_ = realSpin(0, 10, 3, "weightDecay");
    beta1_ = realSpin(0, 0.9999, 4, "beta1");
    beta2_ = realSpin(0, 0.99999, 5, "beta2");
    evalFreq_ = spin(1, 1000000, "evalFreq");
    evalIter_ = spin(1, 1000000, "evalIter");
    seed_ = spin(0, INT32_MAX, "seed");
    maxLength_ = spin(2, 1 << 20, "maxLength");
    template_ = new QComboBox;
    template_->setObjectName("template");
    template_->addItems({"alpaca", "phi3"});
    shuffle_ = new QCheckBox(tr("Shuffle training entries each epoch"));
    maxSteps_ = spin(0, INT32_MAX, "maxSteps");
    maxSteps_->setSpecialValueText(tr("all epochs"));
    fullHead_ = new QCheckBox(tr("Output head at every position (the chapter's way; same loss, slower)"));

    auto* form = new QFormLayout;
    form->addRow(tr("Model"), pathRow(model_, [this] { return QFileDialog::getExistingDirectory(this, tr("Model folder")); }));
    form->addRow(tr("Dataset"), pathRow(dataset_, [this] {
                     return QFileDialog::getOpenFileName(this, tr("Dataset"), {}, tr("Datasets (*.json *.jsonl)"));
                 }));
    form->addRow(tr("Run folder"), pathRow(runDir_, [this] { return QFileDialog::getSaveFileName(this, tr("New run folder")); }));
    form->addRow(tr("Preset"), preset_);
    form->addRow(tr("Epochs"), epochs_);
    form->addRow(tr("Batch size"), batchSize_);
    form->addRow(tr("Learning rate"), learningRate_);
    form->addRow(tr("Weight decay"), weightDecay_);
    form->addRow(tr("Adam β1"), beta1_);
    form->addRow(tr("Adam β2"), beta2_);
    form->addRow(tr("Evaluate every (steps)"), evalFreq_);
    form->addRow(tr("Batches per evaluation"), evalIter_);
    form->addRow(tr("Seed"), seed_);
    form->addRow(tr("Max length (tokens)"), maxLength_);
    form->addRow(tr("Prompt template"), template_);
    form->addRow(tr("Stop after (steps)"), maxSteps_);
    form->addRow(shuffle_);
    form->addRow(fullHead_);

    start_ = new QPushButton(QIcon::fromTheme("media-playback-start"), tr("Start"));
    start_->setObjectName("start");
    start_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    pause_ = new QPushButton(QIcon::fromTheme("media-playback-pause"), tr("Pause"));
    pause_->setObjectName("pause");
    stop_ = new QPushButton(QIcon::fromTheme("media-playback-stop"), tr("Stop"));
    stop_->setObjectName("stop");
    connect(start_, &QPushButton::clicked, this, &TrainView::startTraining);
    connect(pause_, &QPushButton::clicked, this, &TrainView::togglePause);
    connect(stop_, &QPushButton::clicked, this, &TrainView::stopTraining);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(start_);
    buttons->addWidget(pause_);
    buttons->addWidget(stop_);

    auto* box = new QGroupBox(tr("Run settings"));
    auto* boxLayout = new QVBoxLayout(box);
    boxLayout->addLayout(form);
    boxLayout->addLayout(buttons);
    boxLayout->addStretch();
    auto* scroll = new QScrollArea;
    scroll->setWidget(box);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(360);
    return scroll;
}

QWidget* TrainView::buildMonitor()
{
    chart_ = new LossChart;
    chart_->setObjectName("lossChart");
    xAxis_ = new QComboBox;
    xAxis_->setObjectName("xAxis");
    xAxis_->addItems({tr("Steps"), tr("Tokens seen")});
    connect(xAxis_, &QComboBox::currentIndexChanged, this,
            [this](int i) { chart_->setXAxis(i == 0 ? LossChart::XAxis::Steps : LossChart::XAxis::Tokens); });
    progress_ = new QProgressBar;
    progress_->setObjectName("progress");
    status_ = new QLabel(tr("No run yet"));
    status_->setObjectName("status");
    sample_ = new QPlainTextEdit;
    sample_->setObjectName("sample");
    sample_->setReadOnly(true);
    sample_->setPlaceholderText(tr("The model's answer to the first validation entry appears here after each epoch."));
    log_ = new QPlainTextEdit;
    log_->setObjectName("log");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(10000);

    auto* axisRow = new QHBoxLayout;
    axisRow->addStretch();
    axisRow->addWidget(new QLabel(tr("x axis:")));
    axisRow->addWidget(xAxis_);
    auto* top = new QWidget;
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addLayout(axisRow);
    topLayout->addWidget(chart_, 1);
    topLayout->addWidget(progress_);
    topLayout->addWidget(status_);
    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(top);
    splitter->addWidget(sample_);
    splitter->addWidget(log_);
    splitter->setStretchFactor(0, 3);
    return splitter;
}

void TrainView::applyPreset(Preset preset)
{
    TrainOptions options; // the chapter's defaults
    if (preset == Preset::QuickTest) {
        options.epochs = 1;
        options.maxSteps = 20;
        options.evalFreq = 5;
        options.evalIter = 2;
        options.maxLength = 256;
    }
    preset_->setCurrentIndex(int(preset));
    showOptions(options);
}

void TrainView::showOptions(const TrainOptions& o)
{
    epochs_->setValue(int(o.epochs));
    batchSize_->setValue(int(o.batchSize));
    learningRate_->setText(QString::number(o.learningRate, 'g', 6));
    weightDecay_->setValue(o.weightDecay);
    beta1_->setValue(o.beta1);
    beta2_->setValue(o.beta2);
    evalFreq_->setValue(int(o.evalFreq));
    evalIter_->setValue(int(o.evalIter));
    seed_->setValue(int(o.seed));
    maxLength_->setValue(int(o.maxLength));
    template_->setCurrentText(QString::fromStdString(o.templateName));
    shuffle_->setChecked(o.shuffle);
    maxSteps_->setValue(int(o.maxSteps));
    fullHead_->setChecked(!o.headOnCountedTargets);
}

TrainOptions TrainView::formOptions() const
{
    TrainOptions o;
    o.epochs = epochs_->value();
    o.batchSize = batchSize_->value();
    o.learningRate = QLocale().toDouble(learningRate_->text());
    o.weightDecay = weightDecay_->value();
    o.beta1 = beta1_->value();
    o.beta2 = beta2_->value();
    o.evalFreq = evalFreq_->value();
    o.evalIter = evalIter_->value();
    o.seed = uint64_t(seed_->value());
    o.maxLength = maxLength_->value();
    o.templateName = template_->currentText().toStdString();
    o.shuffle = shuffle_->isChecked();
    o.maxSteps = maxSteps_->value();
    o.headOnCountedTargets = !fullHead_->isChecked();
    return o;
}

QString TrainView::newRunFolder() const
{
    const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    return QDir(documents).filePath("SFT Studio/runs/run-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
}

bool TrainView::startTraining()
{
    if (model_->text().isEmpty() || dataset_->text().isEmpty()) {
        QMessageBox::information(this, tr("Train"), tr("Choose a model (Models view) and a dataset (Data view) first."));
        return false;
    }
    if (runDir_->text().isEmpty())
        runDir_->setText(newRunFolder());
    TrainRequest request{model_->text(), dataset_->text(), runDir_->text(), formOptions()};
    try {
        if (!worker_->startRun(request))
            return false;
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Train"), QString::fromStdString(e.what()));
        return false;
    }
    chart_->clear();
    progress_->setValue(0);
    log_->clear();
    log(tr("Run folder: %1").arg(request.runDir));
    setRunning(true);
    return true;
}

void TrainView::togglePause()
{
    worker_->setPaused(!worker_->isPaused());
    pause_->setText(worker_->isPaused() ? tr("Resume") : tr("Pause"));
    state_->setJobStatus(worker_->isPaused() ? tr("Training paused") : tr("Training"));
}

void TrainView::stopTraining()
{
    log(tr("Stopping after the current step…"));
    worker_->setPaused(false);
    worker_->cancel();
    stop_->setEnabled(false);
}

void TrainView::openRun(const QString& runDir)
{
    try {
        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        if (run.contains("options"))
            showOptions(TrainOptions::fromJson(run.at("options")));
        chart_->setPoints(readEvalPoints(runDir.toStdString()));
        runDir_->setText(runDir);
        const int64_t steps = run.value("steps_done", int64_t(0));
        progress_->setRange(0, int(std::max<int64_t>(1, steps)));
        progress_->setValue(run.value("status", std::string()) == "finished" ? progress_->maximum() : int(steps));
        status_->setText(tr("Run %1: %2, %3 steps").arg(QDir(runDir).dirName(),
                                                         QString::fromStdString(run.value("status", std::string("?"))))
                             .arg(run.value("steps_done", int64_t(0))));
        state_->setRunPath(runDir);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Open run"), QString::fromStdString(e.what()));
    }
}

void TrainView::onStep(const StepPoint& p, double etaSeconds)
{
    progress_->setRange(0, int(p.totalSteps));
    progress_->setValue(int(p.step + 1));
    const QString text = tr("Epoch %1 · step %2 of %3 · %4 tokens/s · ETA %5")
                             .arg(p.epoch)
                             .arg(p.step + 1)
                             .arg(p.totalSteps)
                             .arg(p.tokensPerSecond, 0, 'f', 0)
                             .arg(duration(etaSeconds));
    status_->setText(text + tr(" · loss %1").arg(p.loss, 0, 'f', 3));
    state_->setJobStatus(tr("Training: ") + text);
}

void TrainView::onEvaluation(const EvalPoint& p)
{
    chart_->addPoint(p);
    log(QString::fromStdString(formatEvalLine(p)));
}

void TrainView::onFinished(bool ok, bool cancelled, const QString& error)
{
    setRunning(false);
    state_->setJobStatus(ok ? tr("Training finished") : cancelled ? tr("Training stopped") : tr("Training failed"));
    if (!ok && !cancelled) {
        log(tr("Failed: %1").arg(error));
        QMessageBox::warning(this, tr("Training failed"), error);
    }
}

void TrainView::setRunning(bool running)
{
    start_->setEnabled(!running);
    pause_->setEnabled(running);
    pause_->setText(tr("Pause"));
    stop_->setEnabled(running);
    preset_->setEnabled(!running);
}

void TrainView::log(const QString& text)
{
    log_->appendPlainText(text);
}

} // namespace sft::ui
