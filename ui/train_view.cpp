#include "ui/train_view.h"

#include "core/model/lora.h"
#include "core/train/memory_estimate.h"
#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/train/train_options.h"
#include "core/train/trainer.h"
#include "core/train/training_plan.h"
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
#include <optional>
#include <utility>

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

QString percent(int64_t part, int64_t whole)
{
    const double p = 100.0 * double(part) / double(std::max<int64_t>(1, whole));
    return (p >= 10 ? QString::number(p, 'f', 0) : QString::number(p, 'g', 2)) + '%';
}

// One line for the trainingPlan label; the shortfall, when there is one, after it.
QString planText(const TrainingPlan& plan, qint64 batchSize, bool memoryCheck)
{
    const QLocale locale;
    const QString batches = plan.lengthFromDataset
                                ? QObject::tr("batches of %1 × %2 tokens (the dataset's longest entry)")
                                : QObject::tr("batches of %1 × %2 tokens (the max length; the Data view's tokens "
                                              "give the dataset's longest entry)");
    QString text = QObject::tr("Trains %1 of %2 parameters (%3) · %4 need about %5 of %6 available")
                       .arg(locale.toString(qlonglong(plan.trainableParameters)),
                            locale.toString(qlonglong(plan.totalParameters)),
                            percent(plan.trainableParameters, plan.totalParameters))
                       .arg(batches.arg(batchSize).arg(plan.sequenceLength),
                            QString::fromStdString(formatGigabytes(plan.memory.peak())),
                            QString::fromStdString(formatGigabytes(plan.availableBytes)));
    if (plan.shortfall.empty())
        return text;
    QString shortfall = QString::fromStdString(plan.shortfall);
    shortfall[0] = shortfall[0].toUpper();
    // The run checks again with the dataset's longest batch, which can only be shorter.
    return text + "\n" + shortfall +
           (memoryCheck ? QObject::tr(" Start refuses the run if its longest batch does not fit either, unless "
                                      "“Check memory before starting” (Advanced) is off.")
                        : QObject::tr(" The memory check is off: Start tries anyway."));
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
    // Each of these changes the plan; recomputing reads one small JSON file.
    connect(model_, &QLineEdit::textChanged, this, &TrainView::updateTrainingPlan);
    connect(dataset_, &QLineEdit::textChanged, this, &TrainView::updateTrainingPlan);
    connect(template_, &QComboBox::currentTextChanged, this, &TrainView::updateTrainingPlan);
    connect(state_, &StudioState::longestExampleChanged, this, &TrainView::updateTrainingPlan);
    for (QSpinBox* box : {batchSize_, maxLength_, loraRank_})
        connect(box, &QSpinBox::valueChanged, this, &TrainView::updateTrainingPlan);
    connect(loraDropout_, &QDoubleSpinBox::valueChanged, this, &TrainView::updateTrainingPlan);
    for (QCheckBox* box : {lora_, memoryCheck_})
        connect(box, &QCheckBox::toggled, this, &TrainView::updateTrainingPlan);
    for (const auto& [target, box] : loraTargets_)
        connect(box, &QCheckBox::toggled, this, &TrainView::updateTrainingPlan);
    applyPreset(Preset::Chapter7);
    setRunning(false);
    updateTrainingPlan();
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
    adamEps_ = new QLineEdit;
    adamEps_->setObjectName("adamEps");
    adamEps_->setValidator(new QDoubleValidator(1e-30, 1, 30, adamEps_));
    evalFreq_ = spin(1, 1000000, "evalFreq");
    evalIter_ = spin(1, 1000000, "evalIter");
    sampleTokens_ = spin(0, 4096, "sampleTokens");
    sampleTokens_->setSpecialValueText(tr("no sample"));
    sampleTokens_->setToolTip(tr("Greedy tokens of the sample shown after each epoch"));
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
    form->addRow(tr("Adam ε"), adamEps_);
    form->addRow(tr("Evaluate every (steps)"), evalFreq_);
    form->addRow(tr("Batches per evaluation"), evalIter_);
    form->addRow(tr("Epoch-end sample tokens"), sampleTokens_);
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

    trainingPlan_ = new QLabel;
    trainingPlan_->setObjectName("trainingPlan");
    trainingPlan_->setTextFormat(Qt::PlainText);
    trainingPlan_->setWordWrap(true);

    auto* box = new QGroupBox(tr("Run settings"));
    auto* boxLayout = new QVBoxLayout(box);
    boxLayout->addLayout(form);
    boxLayout->addWidget(buildAdvanced());
    boxLayout->addWidget(trainingPlan_);
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
    groupByLength_ = new QCheckBox(tr("Group batches by length (less padding; not the chapter's batches)"));
    groupByLength_->setObjectName("groupByLength");
    memoryCheck_ = new QCheckBox(tr("Check memory before starting"));
    memoryCheck_->setObjectName("memoryCheck");
    memoryCheck_->setToolTip(tr("Refuse to start a run whose estimated memory need exceeds the memory available"));

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
    form->addRow(groupByLength_);
    form->addRow(memoryCheck_);
    form->addRow(buildLora());
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

// Exercise 7.4: the settings below the switch apply only while it is on.
QWidget* TrainView::buildLora()
{
    lora_ = new QCheckBox(tr("LoRA (train adapters only, base frozen)"));
    lora_->setObjectName("lora");
    loraRank_ = spin(1, 1024, "loraRank");
    loraAlpha_ = realSpin(0.01, 1e5, 2, "loraAlpha");
    loraAlpha_->setSingleStep(1);
    loraAlpha_->setToolTip(tr("Adapter updates are scaled by alpha / rank"));
    loraDropout_ = realSpin(0, 0.99, 2, "loraDropout");
    loraDropout_->setSingleStep(0.05);
    loraDropout_->setToolTip(tr("Dropout on the adapters' input while training"));
    const std::pair<LoraTarget, QString> targets[] = {
        {LoraTarget::Query, tr("Attention query (the q third of c_attn)")},
        {LoraTarget::Key, tr("Attention key (the k third of c_attn)")},
        {LoraTarget::Value, tr("Attention value (the v third of c_attn)")},
        {LoraTarget::AttentionOut, tr("Attention output projection (c_proj)")},
        {LoraTarget::FeedForward, tr("Both feed-forward layers (c_fc, c_proj)")},
        {LoraTarget::Head, tr("The output head (lm_head)")}};
    auto* targetRow = new QHBoxLayout;
    targetRow->setContentsMargins(0, 0, 0, 0);
    for (const auto& [target, tip] : targets) {
        const QString name = QString::fromStdString(loraTargetName(target));
        auto* box = new QCheckBox(name);
        box->setObjectName("loraTarget_" + name);
        box->setToolTip(tip);
        targetRow->addWidget(box);
        loraTargets_.emplace_back(target, box);
    }
    targetRow->addStretch();
    loraMerged_ = new QCheckBox(tr("Also save the merged model"));
    loraMerged_->setObjectName("loraMerged");
    loraMerged_->setToolTip(tr("Checkpoints final and best hold the full model with the adapters added in, beside "
                               "the adapters"));

    loraSettings_ = new QWidget;
    auto* form = new QFormLayout(loraSettings_);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Rank"), loraRank_);
    form->addRow(tr("Alpha"), loraAlpha_);
    form->addRow(tr("LoRA dropout"), loraDropout_);
    form->addRow(tr("Adapt"), targetRow);
    form->addRow(loraMerged_);
    loraSettings_->setEnabled(false);
    connect(lora_, &QCheckBox::toggled, loraSettings_, &QWidget::setEnabled);

    auto* group = new QGroupBox(tr("LoRA"));
    auto* layout = new QVBoxLayout(group);
    layout->addWidget(lora_);
    layout->addWidget(loraSettings_);
    return group;
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
    adamEps_->setText(QString::number(o.adamEps, 'g', 6));
    evalFreq_->setValue(int(o.evalFreq));
    evalIter_->setValue(int(o.evalIter));
    sampleTokens_->setValue(int(o.sampleTokens));
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
    groupByLength_->setChecked(o.groupByLength);
    memoryCheck_->setChecked(o.memoryCheck);
    lora_->setChecked(o.lora.has_value());
    const LoraOptions lora = o.lora.value_or(LoraOptions{}); // LoRA off: the defaults, ready to turn on
    loraRank_->setValue(int(lora.rank));
    loraAlpha_->setValue(lora.alpha);
    loraDropout_->setValue(lora.dropout);
    for (const auto& [target, box] : loraTargets_)
        box->setChecked(lora.targets.count(target) > 0);
    loraMerged_->setChecked(o.loraMerged);
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
    o.adamEps = QLocale().toDouble(adamEps_->text());
    o.evalFreq = evalFreq_->value();
    o.evalIter = evalIter_->value();
    o.sampleTokens = sampleTokens_->value();
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
    o.groupByLength = groupByLength_->isChecked();
    o.memoryCheck = memoryCheck_->isChecked();
    if (lora_->isChecked()) {
        LoraOptions lora;
        lora.rank = loraRank_->value();
        lora.alpha = loraAlpha_->value();
        lora.dropout = loraDropout_->value();
        lora.targets.clear();
        for (const auto& [target, box] : loraTargets_)
            if (box->isChecked())
                lora.targets.insert(target);
        o.lora = lora;
        o.loraMerged = loraMerged_->isChecked();
    }
    return o;
}

// On the UI thread: it reads the model's config.json (a few hundred bytes) and /proc/meminfo,
// never the weights.
void TrainView::updateTrainingPlan()
{
    trainingPlan_->setStyleSheet({});
    if (model_->text().isEmpty()) {
        trainingPlan_->setText(tr("Choose a model to see how many parameters the run trains and the memory it needs."));
        return;
    }
    const TrainOptions options = formOptions();
    try {
        const std::optional<TrainingPlan> plan =
            planTraining(model_->text().toStdString(), options, availableMemoryBytes(),
                         state_->longestExample(dataset_->text(), template_->currentText()));
        if (!plan) {
            trainingPlan_->setText(tr("The parameter counts and the memory needed are known once the run has loaded "
                                      "the model (it has no config.json)."));
            return;
        }
        trainingPlan_->setText(planText(*plan, options.batchSize, options.memoryCheck));
        if (!plan->shortfall.empty())
            trainingPlan_->setStyleSheet(QStringLiteral("color: #c03030"));
    } catch (const std::exception& e) {
        trainingPlan_->setText(QString::fromStdString(e.what()));
    }
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
