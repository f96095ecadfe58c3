#include "ui/views/train_view.h"

#include "core/data/dataset.h"
#include "core/jobs/train_job.h"
#include "core/train/memory_estimate.h"
#include "core/train/run_directory.h"
#include "core/train/run_library.h"
#include "core/train/step_timing.h"
#include "core/train/run_metrics.h"
#include "core/train/run_products.h"
#include "core/train/train_options.h"
#include "core/train/trainer.h"
#include "core/train/training_plan.h"
#include "ui/charts/loss_chart.h"
#include "ui/views/settings_form.h"
#include "ui/charts/reward_chart.h"
#include "ui/charts/step_chart.h"
#include "ui/duration_text.h"
#include "ui/studio_state.h"
#include "ui/workers/job_runner.h"
#include "ui/workers/train_worker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
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

QString savedLine(bool stopped, qint64 steps, const QString& checkpoint)
{
    return (stopped ? QObject::tr("Stopped after %1 steps; model saved to %2")
                    : QObject::tr("Finished %1 steps; model saved to %2"))
        .arg(steps)
        .arg(checkpoint);
}

constexpr int kBuiltInPresets = 2; // TrainView::Preset's
const QString kPresetsGroup = QStringLiteral("train/presets");

// A preset's QSettings key is its name: a '/' in one would make a subgroup, so it is replaced.
QString presetName(const QString& name) { return QString(name).replace('/', '-'); }
QString presetKey(const QString& name) { return kPresetsGroup + '/' + presetName(name); }

// The log's last line for a run opened from its folder, as the run would have printed it.
QString endingLine(const RunSummary& run, const QString& checkpoint)
{
    switch (run.status) {
    case RunStatus::Finished:
    case RunStatus::Stopped:
        return savedLine(run.status == RunStatus::Stopped, run.stepsDone, checkpoint);
    case RunStatus::Running:
        return QObject::tr("Running%1: %2 steps so far")
            .arg(run.detail.empty() ? QString() : " " + QString::fromStdString(run.detail))
            .arg(run.stepsDone);
    case RunStatus::Failed:
        break;
    }
    return QObject::tr("Failed after %1 steps: %2").arg(run.stepsDone).arg(QString::fromStdString(run.detail));
}

// How many processes a resume of runDir starts: as many as the run recorded.
int64_t recordedProcesses(const QString& runDir)
{
    try {
        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        return run.value("options", nlohmann::json::object()).value("processes", int64_t(1));
    } catch (const std::exception&) {
        return 1; // the resume itself reports what is wrong with the folder
    }
}

} // namespace

TrainView::TrainView(StudioState* state, QWidget* parent)
    : QWidget(parent), state_(state), worker_(new TrainWorker(state, this)),
      speedJob_(new JobRunner(tr("Measuring a training step"), state, this))
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
        log(savedLine(stopped, steps, checkpoint));
        state_->setRunPath(runDir_->text());
    });
    connect(worker_, &TrainWorker::finished, this, &TrainView::onFinished);
    connect(state_, &StudioState::modelPathChanged, model_, &QLineEdit::setText);
    connect(state_, &StudioState::datasetPathChanged, dataset_, &QLineEdit::setText);
    auto* maskPrompt = qobject_cast<QCheckBox*>(form_->widget("/mask_prompt"));
    connect(maskPrompt, &QCheckBox::toggled, state_, &StudioState::setMaskPrompt);
    connect(state_, &StudioState::maskPromptChanged, maskPrompt, &QCheckBox::setChecked);
    model_->setText(state_->modelPath());
    dataset_->setText(state_->datasetPath());
    // Each of these changes the plan; recomputing reads one small JSON file.
    connect(model_, &QLineEdit::textChanged, this, &TrainView::updateTrainingPlan);
    connect(dataset_, &QLineEdit::textChanged, this, &TrainView::updateTrainingPlan);
    connect(state_, &StudioState::longestExampleChanged, this, &TrainView::updateTrainingPlan);
    connect(form_, &SettingsForm::changed, this, &TrainView::updateTrainingPlan);
    applyPreset(Preset::Chapter7);
    restoreForm();
    setRunning(false);
    updateTrainingPlan();
}

TrainView::~TrainView()
{
    rememberForm();
}

void TrainView::rememberForm() const
{
    QSettings().setValue("train/options", QString::fromStdString(form_->values().dump()));
}

void TrainView::restoreForm()
{
    const nlohmann::json saved =
        nlohmann::json::parse(QSettings().value("train/options").toString().toStdString(), nullptr, false);
    if (saved.is_object())
        form_->show(saved);
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
    form_ = new SettingsForm(trainSettings().infos(), this);
    auto* form = new QFormLayout;
    form->addRow(tr("Model"), pathRow(model_, [this] { return QFileDialog::getExistingDirectory(this, tr("Model folder")); }));
    form->addRow(tr("Dataset"), pathRow(dataset_, [this] {
                     return QFileDialog::getOpenFileName(this, tr("Dataset"), {}, tr("Datasets (*.json *.jsonl)"));
                 }));
    form->addRow(tr("Run folder"), pathRow(runDir_, [this] { return QFileDialog::getSaveFileName(this, tr("New run folder")); }));
    form->addRow(tr("Preset"), buildPresetRow());
    form_->addRows(form, "");

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
    measure_ = new QPushButton(tr("Measure speed"));
    measure_->setObjectName("measureSpeed");
    measure_->setToolTip(tr("Load the model and time one training step of these settings on this machine, for the "
                            "time an epoch takes (about as long as two steps)"));
    connect(measure_, &QPushButton::clicked, this, &TrainView::measureSpeed);
    connect(speedJob_, &JobRunner::started, this, [this] { measure_->setEnabled(false); });
    connect(speedJob_, &JobRunner::finished, this, [this](bool ok, bool, const QString& error) {
        measure_->setEnabled(true);
        state_->setJobStatus(ok ? tr("Speed measured") : tr("Speed not measured"));
        if (!ok && !error.isEmpty())
            QMessageBox::warning(this, tr("Measure speed"), error);
    });
    auto* planRow = new QHBoxLayout;
    planRow->addWidget(trainingPlan_, 1);
    planRow->addWidget(measure_, 0, Qt::AlignTop);

    auto* box = new QGroupBox(tr("Run settings"));
    auto* boxLayout = new QVBoxLayout(box);
    boxLayout->addLayout(form);
    boxLayout->addWidget(buildDpoBox());
    boxLayout->addWidget(buildAdvanced());
    boxLayout->addStretch();
    // The settings scroll; what the run will do and the buttons stay in sight below them. The
    // column is as wide as the form needs: never a horizontal scrollbar.
    auto* scroll = new QScrollArea;
    scroll->setWidget(box);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(box->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() +
                            2 * scroll->frameWidth());
    auto* column = new QWidget;
    auto* columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->addWidget(scroll, 1);
    columnLayout->addLayout(planRow);
    columnLayout->addLayout(buttons);
    columnLayout->addLayout(resumeRow);
    return column;
}

QWidget* TrainView::buildDpoBox()
{
    auto* box = new QGroupBox(tr("DPO: preference tuning"));
    box->setObjectName("dpoBox");
    box->setToolTip(tr("Direct Preference Optimization, as the book's DPO notebook: the data's entries need "
                       "'chosen' and 'rejected' answers"));
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(form_->section("DPO"));
    dpoBox_ = box;
    auto* method = qobject_cast<QComboBox*>(form_->widget("/method"));
    connect(method, &QComboBox::currentTextChanged, this, &TrainView::followMethod);
    box->setVisible(false);
    return box;
}

void TrainView::followMethod()
{
    nlohmann::json values = form_->values();
    const std::string method = values.value("method", std::string("sft"));
    dpoBox_->setVisible(method == "dpo");
    if (method == method_)
        return;
    const nlohmann::json from = TrainOptions::defaultsFor(method_).toJson();
    const nlohmann::json to = TrainOptions::defaultsFor(method).toJson();
    method_ = method;
    for (const char* key : {"learning_rate", "weight_decay", "epochs"})
        if (values[key] == from[key])
            values[key] = to[key];
    form_->show(values);
}

// Beyond the chapter: collapsed until asked for, so the chapter's settings stay at a glance.
// LoRA (exercise 7.4) in a box of its own: its settings apply only while it is on.
QWidget* TrainView::buildAdvanced()
{
    auto* lora = new QGroupBox(tr("LoRA"));
    auto* loraLayout = new QVBoxLayout(lora);
    loraLayout->addWidget(form_->section("LoRA"));
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(form_->section("Advanced"));
    layout->addWidget(lora);
    content->setVisible(false);

    auto* toggle = new QToolButton;
    toggle->setObjectName("advancedToggle");
    toggle->setText(tr("Advanced"));
    toggle->setCheckable(true);
    toggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toggle->setArrowType(Qt::RightArrow);
    toggle->setAutoRaise(true);
    connect(toggle, &QToolButton::toggled, content, [toggle, content](bool open) {
        content->setVisible(open);
        toggle->setArrowType(open ? Qt::DownArrow : Qt::RightArrow);
    });
    auto* section = new QWidget;
    auto* sectionLayout = new QVBoxLayout(section);
    sectionLayout->setContentsMargins(0, 0, 0, 0);
    sectionLayout->addWidget(toggle);
    sectionLayout->addWidget(content);
    return section;
}

QWidget* TrainView::buildMonitor()
{
    chart_ = new LossChart;
    chart_->setObjectName("lossChart");
    stepChart_ = new StepChart;
    stepChart_->setObjectName("stepChart");
    rewardChart_ = new RewardChart;
    rewardChart_->setObjectName("rewardChart");
    rewardChart_->setVisible(false);
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
    // DPO's rewards beside the loss, not under it: the window keeps its height.
    auto* charts = new QHBoxLayout;
    charts->addWidget(chart_, 1);
    charts->addWidget(rewardChart_, 1);
    topLayout->addLayout(charts, 3);
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

QWidget* TrainView::buildPresetRow()
{
    preset_ = new QComboBox;
    preset_->setObjectName("preset");
    connect(preset_, &QComboBox::activated, this, [this](int i) {
        if (i < kBuiltInPresets)
            applyPreset(Preset(i));
        else
            applySavedPreset(preset_->itemText(i));
    });
    presetMenu_ = new QToolButton;
    presetMenu_->setObjectName("presetMenu");
    presetMenu_->setText(tr("Save…"));
    presetMenu_->setToolTip(tr("Keep the form's settings as a preset of your own"));
    presetMenu_->setPopupMode(QToolButton::MenuButtonPopup);
    auto* menu = new QMenu(presetMenu_);
    QAction* remove = menu->addAction(tr("Delete this preset"));
    presetMenu_->setMenu(menu);
    connect(menu, &QMenu::aboutToShow, this, [this, remove] { remove->setEnabled(preset_->currentIndex() >= kBuiltInPresets); });
    connect(remove, &QAction::triggered, this, [this] { deletePreset(preset_->currentText()); });
    connect(presetMenu_, &QToolButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save preset"), tr("Name of the preset:"), QLineEdit::Normal,
                                                   preset_->currentIndex() >= kBuiltInPresets ? preset_->currentText()
                                                                                              : QString(),
                                                   &ok);
        if (ok && !name.trimmed().isEmpty())
            savePreset(name.trimmed());
    });
    listPresets({});
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(preset_, 1);
    layout->addWidget(presetMenu_);
    return row;
}

void TrainView::listPresets(const QString& current)
{
    preset_->clear();
    preset_->addItems({tr("Chapter 7 defaults"), tr("Quick test")});
    preset_->addItems(savedPresets());
    if (!current.isEmpty())
        preset_->setCurrentText(current);
}

QStringList TrainView::savedPresets() const
{
    QSettings settings;
    settings.beginGroup(kPresetsGroup);
    QStringList names = settings.childKeys();
    names.sort(Qt::CaseInsensitive);
    return names;
}

void TrainView::savePreset(const QString& name)
{
    QSettings().setValue(presetKey(name), QString::fromStdString(form_->values().dump()));
    listPresets(presetName(name));
}

bool TrainView::applySavedPreset(const QString& name)
{
    const nlohmann::json saved = nlohmann::json::parse(
        QSettings().value(presetKey(name)).toString().toStdString(), nullptr, false);
    if (!saved.is_object())
        return false;
    form_->show(saved);
    preset_->setCurrentText(presetName(name));
    return true;
}

void TrainView::deletePreset(const QString& name)
{
    QSettings().remove(presetKey(name));
    listPresets({});
}

void TrainView::showOptions(const TrainOptions& o)
{
    form_->show(o.toJson());
    showTrainLossKind(o);
}

void TrainView::showTrainLossKind(const TrainOptions& o)
{
    chart_->setTrainLossName(o.trainLoss == "chapter"
                                 ? tr("Training loss (the chapter's estimate: %n fresh batch(es))", "", int(o.evalIter))
                                 : tr("Training loss (mean of the steps since the last evaluation)"));
}

TrainOptions TrainView::formOptions() const { return trainSettings().read(form_->values()); }

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
                         state_->longestExample(dataset_->text(), QString::fromStdString(options.templateName)));
        if (!plan) {
            trainingPlan_->setText(tr("The parameter counts and the memory needed are known once the run has loaded "
                                      "the model (it has no config.json)."));
            return;
        }
        plannedLength_ = plan->sequenceLength;
        trainingPlan_->setText(planText(*plan, options.batchSize, options.memoryCheck) +
                               (speedFor_ == speedKey() ? "\n" + speed_ : QString()));
        if (!plan->shortfall.empty())
            trainingPlan_->setStyleSheet(QStringLiteral("color: #c03030"));
    } catch (const std::exception& e) {
        trainingPlan_->setText(QString::fromStdString(e.what()));
    }
}

QString TrainView::speedKey() const
{
    return model_->text() + '\n' + dataset_->text() + '\n' + QString::number(plannedLength_) + '\n' +
           QString::fromStdString(form_->values().dump());
}

bool TrainView::measureSpeed()
{
    if (model_->text().isEmpty() || dataset_->text().isEmpty()) {
        QMessageBox::information(this, tr("Measure speed"), tr("Choose a model and a dataset first."));
        return false;
    }
    TrainOptions options;
    try {
        options = formOptions();
        options.validate();
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Measure speed"), QString::fromStdString(e.what()));
        return false;
    }
    const std::string model = model_->text().toStdString(), data = dataset_->text().toStdString();
    const int64_t length = plannedLength_ > 0 ? plannedLength_ : options.maxLength;
    const QString key = speedKey();
    state_->setJobStatus(tr("Measuring a training step…"));
    return speedJob_->start([this, model, data, options, length, key] {
        const int64_t trainEntries = int64_t(splitDataset(loadDataset(data).entries).train.size());
        const StepTiming t = measureTrainingStep(model, options, length, trainEntries, speedJob_->control());
        speedJob_->post([this, t, key] {
            speed_ = tr("Measured here: %1 s per step on %2 with %3 threads; %4 steps per epoch take about %5.")
                         .arg(t.secondsPerStep, 0, 'g', 3)
                         .arg(QString::fromStdString(t.device).toUpper())
                         .arg(t.threads)
                         .arg(t.stepsPerEpoch)
                         .arg(durationText(t.secondsPerEpoch()));
            speedFor_ = key;
            updateTrainingPlan();
        });
    });
}

QString TrainView::newRunFolder() const
{
    const QString stem = QDir(StudioState::defaultRunsFolder())
                             .filePath("run-" + QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss"));
    QString folder = stem;
    for (int n = 2; QFileInfo::exists(folder); ++n)
        folder = stem + "-" + QString::number(n);
    return folder;
}

bool TrainView::startTraining()
{
    if (model_->text().isEmpty() || dataset_->text().isEmpty()) {
        QMessageBox::information(this, tr("Train"), tr("Choose a model (Models view) and a dataset (Data view) first."));
        return false;
    }
    // A folder holding a run (the last one, or one opened) is never trained into again: Start
    // makes a new run with the form's settings.
    if (runDir_->text().isEmpty() || isRunFolder(runDir_->text().toStdString()))
        runDir_->setText(newRunFolder());
    TrainJob job;
    job.model = model_->text().toStdString();
    job.data = dataset_->text().toStdString();
    job.out = runDir_->text().toStdString();
    try {
        job.options = formOptions();
        if (!worker_->startRun(job))
            return false;
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Train"), QString::fromStdString(e.what()));
        return false;
    }
    rememberForm();
    clearMonitor();
    showTrainLossKind(job.options);
    log(tr("Run folder: %1").arg(runDir_->text()));
    setRunning(true, job.options.processes);
    return true;
}

bool TrainView::resumeTraining()
{
    const QString runDir = runDir_->text();
    if (!isRunFolder(runDir.toStdString())) {
        QMessageBox::information(this, tr("Resume"), tr("Open a run (File > Open run) or start one first: Resume "
                                                        "continues the run in the run folder."));
        return false;
    }
    openRun(runDir); // its settings in the form
    if (!worker_->startResume(runDir, moreEpochs_->value()))
        return false;
    clearMonitor();
    log(tr("Resuming %1").arg(runDir));
    setRunning(true, recordedProcesses(runDir));
    return true;
}

void TrainView::clearMonitor()
{
    chart_->clear();
    stepChart_->clear();
    rewardChart_->clear();
    rewardChart_->setVisible(false);
    progress_->setValue(0);
    log_->clear();
}

void TrainView::togglePause()
{
    if (!pause_->isEnabled()) // Ctrl+P reaches here whatever the button says
        return;
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
        const std::vector<EvalPoint> evals = readEvalPoints(runDir.toStdString());
        chart_->setPoints(evals);
        rewardChart_->setPoints(evals);
        rewardChart_->setVisible(rewardChart_->hasPoints());
        stepChart_->setPoints(readStepPoints(runDir.toStdString()));
        runDir_->setText(runDir);
        const RunSummary summary = summarizeRun(runDir.toStdString());
        progress_->setRange(0, int(std::max<int64_t>(1, summary.totalSteps > 0 ? summary.totalSteps : summary.stepsDone)));
        progress_->setValue(int(summary.stepsDone));
        status_->setText(tr("Run %1: %2, %3 steps")
                             .arg(QDir(runDir).dirName(), QString::fromStdString(runStatusName(summary.status)))
                             .arg(summary.stepsDone));
        log_->clear();
        log(tr("Run folder: %1").arg(runDir));
        for (const EvalPoint& p : evals)
            log(QString::fromStdString(formatEvalLine(p)));
        log(endingLine(summary, QString::fromStdString(run.value("checkpoint", std::string()))));
        state_->setRunPath(runDir);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Open run"), QString::fromStdString(e.what()));
    }
}

bool TrainView::runAgain(const QString& runDir)
{
    try {
        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        showOptions(TrainOptions::fromJson(run.at("options")));
        model_->setText(QString::fromStdString(run.at("model").at("source").get<std::string>()));
        dataset_->setText(QString::fromStdString(run.at("dataset").at("path").get<std::string>()));
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Run again"),
                             tr("%1 cannot be run again: %2").arg(runDir, QString::fromStdString(e.what())));
        return false;
    }
    runDir_->clear();
    return startTraining();
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
                             .arg(durationText(etaSeconds));
    status_->setText(text + tr(" · loss %1 · lr %2").arg(p.loss, 0, 'f', 3).arg(p.learningRate, 0, 'g', 3));
    state_->setJobStatus(tr("Training: ") + text);
    stepChart_->addPoint(p);
}

void TrainView::onEvaluation(const EvalPoint& p)
{
    chart_->addPoint(p);
    rewardChart_->addPoint(p);
    rewardChart_->setVisible(rewardChart_->hasPoints());
    log(QString::fromStdString(formatEvalLine(p)));
}

void TrainView::onResumed(int64_t stepsDone, const std::vector<StepPoint>& steps, const std::vector<EvalPoint>& evals)
{
    chart_->setPoints(evals);
    rewardChart_->setPoints(evals);
    rewardChart_->setVisible(rewardChart_->hasPoints());
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

void TrainView::setRunning(bool running, int64_t processes)
{
    start_->setEnabled(!running);
    showPausable(running, processes);
    stop_->setEnabled(running);
    resume_->setEnabled(!running);
    moreEpochs_->setEnabled(!running);
    preset_->setEnabled(!running);
}

// The processes of a run exchange gradients at every step: one paused would leave the others
// waiting until their timeout fails the run. A stop, by contrast, reaches all of them.
void TrainView::showPausable(bool running, int64_t processes)
{
    const bool several = running && processes > 1;
    pause_->setEnabled(running && !several);
    pause_->setText(tr("Pause"));
    pause_->setToolTip(several ? tr("A run in %1 processes cannot pause: the others would wait for the paused one "
                                    "until their timeout failed the run. Stop saves it to resume later.")
                                     .arg(processes)
                               : QString());
}

void TrainView::log(const QString& text)
{
    log_->appendPlainText(text);
}

} // namespace sft::ui
