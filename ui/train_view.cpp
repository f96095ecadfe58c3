#include "ui/train_view.h"

#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/train/train_options.h"
#include "core/train/trainer.h"
#include "ui/loss_chart.h"
#include "ui/step_chart.h"
#include "ui/studio_state.h"
#include "ui/train_worker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFileInfo>
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
    connect(worker_, &TrainWorker::resumed, this, &TrainView::onResumed);
    connect(worker_, &TrainWorker::runSaved, this, [this](const QString& checkpoint, bool stopped, qint64 steps) {
        log((stopped ? tr("Stopped after %1 steps; model saved to %2") : tr("Finished %1 steps; model saved to %2"))
                .arg(steps)
                .arg(checkpoint));
        state_->setRunPath(runDir_->text());
    });
    connect(worker_, &TrainWorker::finished, this, &TrainView::onFinished);
    connect(state_, &StudioState::modelPathChanged, model_, &QLineEdit::setText);
    connect(state_, &StudioState::datasetPathChanged, dataset_, &QLineEdit::setText);
    connect(maskPrompt_, &QCheckBox::toggled, state_, &StudioState::setMaskPrompt);
    connect(state_, &StudioState::maskPromptChanged, maskPrompt_, &QCheckBox::setChecked);
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
    maskPrompt_ = new QCheckBox(tr("Mask the prompt: train on the response only (exercise 7.2)"));
    maskPrompt_->setObjectName("maskPrompt");

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
    form->addRow(maskPrompt_);
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

    resume_ = new QPushButton(QIcon::fromTheme("view-refresh"), tr("Resume run"));
    resume_->setObjectName("resume");
    resume_->setToolTip(tr("Continue the run in the run folder from its last checkpoint, exactly as if it had not "
                           "stopped"));
    connect(resume_, &QPushButton::clicked, this, &TrainView::resumeTraining);
    moreEpochs_ = spin(0, 10000, "moreEpochs");
    moreEpochs_->setPrefix(tr("+"));
    moreEpochs_->setSuffix(tr(" epochs"));
    moreEpochs_->setSpecialValueText(tr("as planned"));
    moreEpochs_->setToolTip(tr("Train this many epochs beyond the run's plan (how a finished run continues)"));
    auto* resumeRow = new QHBoxLayout;
    resumeRow->addWidget(resume_);
    resumeRow->addWidget(moreEpochs_);

    auto* box = new QGroupBox(tr("Run settings"));
    auto* boxLayout = new QVBoxLayout(box);
    boxLayout->addLayout(form);
    boxLayout->addWidget(buildAdvanced());
    boxLayout->addLayout(buttons);
    boxLayout->addLayout(resumeRow);
    boxLayout->addStretch();
    auto* scroll = new QScrollArea;
    scroll->setWidget(box);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(360);
    return scroll;
}

// Beyond the chapter: collapsed until asked for, so the chapter's settings stay at a glance.
QWidget* TrainView::buildAdvanced()
{
    lrSchedule_ = new QComboBox;
    lrSchedule_->setObjectName("lrSchedule");
    lrSchedule_->addItems({"constant", "cosine", "linear"});
    warmupSteps_ = spin(0, INT32_MAX, "warmupSteps");
    warmupRatio_ = realSpin(0, 0.99, 3, "warmupRatio");
    warmupRatio_->setToolTip(tr("Warm up over this fraction of all steps (when warmup steps is 0)"));
    minLr_ = new QLineEdit;
    minLr_->setObjectName("minLr");
    minLr_->setValidator(new QDoubleValidator(0, 1, 12, minLr_));
    gradAccum_ = spin(1, 4096, "gradAccum");
    gradAccum_->setToolTip(tr("Micro-batches per optimizer step: the effective batch is batch size × this"));
    maxGradNorm_ = realSpin(0, 1e6, 2, "maxGradNorm");
    maxGradNorm_->setSpecialValueText(tr("no clipping"));
    patience_ = spin(0, 1000000, "patience");
    patience_->setSpecialValueText(tr("off"));
    patience_->setSuffix(tr(" evaluations"));
    minDelta_ = realSpin(0, 100, 4, "minDelta");
    keepBest_ = new QCheckBox(tr("Keep the best checkpoint (lowest validation loss)"));
    keepBest_->setObjectName("keepBest");
    saveEvery_ = spin(0, INT32_MAX, "saveEvery");
    saveEvery_->setSpecialValueText(tr("at the end only"));
    saveEvery_->setSuffix(tr(" steps"));
    keepLast_ = spin(0, 1000000, "keepLast");
    keepLast_->setSpecialValueText(tr("all"));
    precision_ = new QComboBox;
    precision_->setObjectName("precision");
    precision_->addItems({"auto", "fp32", "bf16"});
    precision_->setToolTip(tr("bf16 autocast with fp32 weights; auto takes it where the CPU computes bf16 natively "
                              "(avx512_bf16, AMX) or on CUDA"));
    dropout_ = realSpin(-0.01, 0.99, 2, "dropout");
    dropout_->setSingleStep(0.05);
    dropout_->setSpecialValueText(tr("the model's"));
    noDecayBiasNorm_ = new QCheckBox(tr("No weight decay on biases and LayerNorm weights"));
    noDecayBiasNorm_->setObjectName("noDecayBiasNorm");

    auto* content = new QWidget;
    auto* form = new QFormLayout(content);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("LR schedule"), lrSchedule_);
    form->addRow(tr("Warmup (steps)"), warmupSteps_);
    form->addRow(tr("Warmup (fraction)"), warmupRatio_);
    form->addRow(tr("Minimum LR"), minLr_);
    form->addRow(tr("Gradient accumulation"), gradAccum_);
    form->addRow(tr("Clip gradient norm"), maxGradNorm_);
    form->addRow(tr("Early stopping patience"), patience_);
    form->addRow(tr("Min improvement"), minDelta_);
    form->addRow(keepBest_);
    form->addRow(tr("Checkpoint every"), saveEvery_);
    form->addRow(tr("Step checkpoints kept"), keepLast_);
    form->addRow(tr("Precision"), precision_);
    form->addRow(tr("Dropout"), dropout_);
    form->addRow(noDecayBiasNorm_);
    content->setVisible(false);

    advancedToggle_ = new QToolButton;
    advancedToggle_->setObjectName("advancedToggle");
    advancedToggle_->setText(tr("Advanced"));
    advancedToggle_->setCheckable(true);
    advancedToggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    advancedToggle_->setArrowType(Qt::RightArrow);
    advancedToggle_->setAutoRaise(true);
    connect(advancedToggle_, &QToolButton::toggled, content, [this, content](bool open) {
        content->setVisible(open);
        advancedToggle_->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    auto* section = new QWidget;
    auto* layout = new QVBoxLayout(section);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(advancedToggle_);
    layout->addWidget(content);
    return section;
}

QWidget* TrainView::buildMonitor()
{
    chart_ = new LossChart;
    chart_->setObjectName("lossChart");
    stepChart_ = new StepChart;
    stepChart_->setObjectName("stepChart");
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
    topLayout->addWidget(chart_, 3);
    topLayout->addWidget(stepChart_, 1);
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
    maskPrompt_->setChecked(o.maskPrompt);
    lrSchedule_->setCurrentText(QString::fromStdString(o.lrSchedule));
    warmupSteps_->setValue(int(o.warmupSteps));
    warmupRatio_->setValue(o.warmupRatio);
    minLr_->setText(QString::number(o.minLearningRate, 'g', 6));
    gradAccum_->setValue(int(o.gradAccumulation));
    maxGradNorm_->setValue(o.maxGradNorm);
    patience_->setValue(int(o.earlyStoppingPatience));
    minDelta_->setValue(o.earlyStoppingMinDelta);
    keepBest_->setChecked(o.keepBest);
    saveEvery_->setValue(int(o.saveEvery));
    keepLast_->setValue(int(o.keepLast));
    precision_->setCurrentText(QString::fromStdString(o.precision));
    dropout_->setValue(o.dropout ? *o.dropout : dropout_->minimum());
    noDecayBiasNorm_->setChecked(!o.decayBiasAndNorm);
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
    o.maskPrompt = maskPrompt_->isChecked();
    o.lrSchedule = lrSchedule_->currentText().toStdString();
    o.warmupSteps = warmupSteps_->value();
    o.warmupRatio = warmupRatio_->value();
    o.minLearningRate = QLocale().toDouble(minLr_->text());
    o.gradAccumulation = gradAccum_->value();
    o.maxGradNorm = maxGradNorm_->value();
    o.earlyStoppingPatience = patience_->value();
    o.earlyStoppingMinDelta = minDelta_->value();
    o.keepBest = keepBest_->isChecked();
    o.saveEvery = saveEvery_->value();
    o.keepLast = keepLast_->value();
    o.precision = precision_->currentText().toStdString();
    if (dropout_->value() > dropout_->minimum())
        o.dropout = dropout_->value();
    o.decayBiasAndNorm = !noDecayBiasNorm_->isChecked();
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
    clearMonitor();
    log(tr("Run folder: %1").arg(request.runDir));
    setRunning(true);
    return true;
}

bool TrainView::resumeTraining()
{
    const QString runDir = runDir_->text();
    if (runDir.isEmpty() || !QFileInfo::exists(runDir + "/run.json")) {
        QMessageBox::information(this, tr("Resume"), tr("Open a run (File > Open run) or start one first: Resume "
                                                        "continues the run in the run folder."));
        return false;
    }
    openRun(runDir); // its settings in the form
    if (!worker_->startResume(runDir, moreEpochs_->value()))
        return false;
    clearMonitor();
    log(tr("Resuming %1").arg(runDir));
    setRunning(true);
    return true;
}

void TrainView::clearMonitor()
{
    chart_->clear();
    stepChart_->clear();
    progress_->setValue(0);
    log_->clear();
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
        stepChart_->setPoints(readStepPoints(runDir.toStdString()));
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
    status_->setText(text + tr(" · loss %1 · lr %2").arg(p.loss, 0, 'f', 3).arg(p.learningRate, 0, 'g', 3));
    state_->setJobStatus(tr("Training: ") + text);
    stepChart_->addPoint(p);
}

void TrainView::onEvaluation(const EvalPoint& p)
{
    chart_->addPoint(p);
    log(QString::fromStdString(formatEvalLine(p)));
}

void TrainView::onResumed(int64_t stepsDone, const std::vector<StepPoint>& steps, const std::vector<EvalPoint>& evals)
{
    chart_->setPoints(evals);
    stepChart_->setPoints(steps);
    for (const EvalPoint& p : evals)
        log(QString::fromStdString(formatEvalLine(p)));
    log(tr("Continuing after step %1").arg(stepsDone));
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
    resume_->setEnabled(!running);
    moreEpochs_->setEnabled(!running);
    preset_->setEnabled(!running);
}

void TrainView::log(const QString& text)
{
    log_->appendPlainText(text);
}

} // namespace sft::ui
