#include "ui/views/main_window.h"

#include "core/data/dataset.h"
#include "core/io/model_folder.h"
#include "core/train/run_products.h"
#include "core/train/version_text.h"
#include "ui/views/compare_view.h"
#include "ui/views/data_view.h"
#include "ui/views/evaluate_view.h"
#include "ui/workers/job_runner.h"
#include "ui/views/models_view.h"
#include "ui/views/playground_view.h"
#include "ui/views/runs_view.h"
#include "ui/duration_text.h"
#include "ui/next_step.h"
#include "ui/studio_state.h"
#include "ui/theme.h"
#include "ui/views/train_view.h"

#include <QAbstractButton>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QToolButton>
#include <QVBoxLayout>

// Resources live in the static ui library; the linker keeps them only when referenced.
static void initResources()
{
    Q_INIT_RESOURCE(resources);
}

namespace sft::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), state_(new StudioState(this))
{
    initResources();
    state_->restore();
    setWindowTitle(tr("SFT Studio"));
    setWindowIcon(QIcon(":/icons/sft-studio.svg"));
    setAcceptDrops(true);

    navigation_ = new QListWidget;
    navigation_->setObjectName("navigation");
    navigation_->setIconSize(QSize(24, 24));
    navigation_->setFixedWidth(150);
    navigation_->setSpacing(2);
    stack_ = new QStackedWidget;
    train_ = new TrainView(state_);
    data_ = new DataView(state_);
    addView(View::Data, tr("Data"), "data", data_);
    addView(View::Models, tr("Models"), "models", new ModelsView(state_));
    addView(View::Train, tr("Train"), "train", train_);
    auto* evaluate = new EvaluateView(state_);
    addView(View::Evaluate, tr("Evaluate"), "evaluate", evaluate);
    connect(evaluate, &EvaluateView::entryRequested, this,
            [this](const QString& instruction, const QString& input, const QString& reference, bool similar) {
                showView(View::Data);
                data_->openEntryLike(instruction, input, reference, similar);
            });
    addView(View::Playground, tr("Playground"), "playground", new PlaygroundView(state_));
    auto* runs = new RunsView(state_);
    auto* compare = new CompareView(state_);
    addView(View::Runs, tr("Runs"), "runs", runs);
    addView(View::Compare, tr("Compare"), "compare", compare);
    connectRuns(runs, compare);
    connect(navigation_, &QListWidget::currentRowChanged, stack_, &QStackedWidget::setCurrentIndex);

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(buildNextStepBar());
    auto* body = new QHBoxLayout;
    body->addWidget(navigation_);
    body->addWidget(stack_, 1);
    layout->addLayout(body, 1);
    setCentralWidget(central);

    jobStatus_ = new QLabel(tr("Ready"));
    jobStatus_->setObjectName("jobStatus");
    modelStatus_ = new QLabel;
    statusBar()->addWidget(jobStatus_, 1);
    statusBar()->addPermanentWidget(modelStatus_);
    connect(state_, &StudioState::jobStatusChanged, jobStatus_, &QLabel::setText);
    connect(state_, &StudioState::jobOver, this, &MainWindow::announceJobEnd);
    auto showModel = [this](const QString& path) {
        modelStatus_->setText(path.isEmpty() ? tr("No model chosen") : tr("Model: %1").arg(QFileInfo(path).fileName()));
    };
    connect(state_, &StudioState::modelPathChanged, this, showModel);
    showModel(state_->modelPath());

    buildMenus();
    showNextStep();
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    restoreState(settings.value("window/state").toByteArray());
    navigation_->setCurrentRow(settings.value("window/view", 0).toInt());
    if (!settings.contains("window/geometry"))
        resize(1280, 800);
}

// One line above the views while a first session has a next step: what to do, and a link there.
QWidget* MainWindow::buildNextStepBar()
{
    nextStepBar_ = new QWidget;
    nextStepBar_->setObjectName("nextStepBar");
    nextStep_ = new QLabel;
    nextStep_->setObjectName("nextStep");
    nextStep_->setTextFormat(Qt::RichText);
    auto* dismiss = new QToolButton;
    dismiss->setText(tr("Hide"));
    dismiss->setAutoRaise(true);
    dismiss->setToolTip(tr("Hide the next-step hints until SFT Studio starts again"));
    auto* layout = new QHBoxLayout(nextStepBar_);
    layout->setContentsMargins(6, 2, 2, 2);
    layout->addWidget(nextStep_, 1);
    layout->addWidget(dismiss);
    connect(nextStep_, &QLabel::linkActivated, this, [this](const QString& view) { showView(View(view.toInt())); });
    connect(dismiss, &QToolButton::clicked, this, [this] {
        nextStepDismissed_ = true;
        showNextStep();
    });
    for (auto signal : {&StudioState::datasetPathChanged, &StudioState::modelPathChanged, &StudioState::runPathChanged})
        connect(state_, signal, this, &MainWindow::showNextStep);
    // A job that ended may have written the answers or scores the next step waits for.
    connect(state_, &StudioState::jobsChanged, this, &MainWindow::showNextStep);
    return nextStepBar_;
}

void MainWindow::showNextStep()
{
    const std::optional<NextStep> step = nextStep(*state_);
    nextStepBar_->setVisible(step && !nextStepDismissed_);
    if (step)
        nextStep_->setText(tr("Next: %1 <a href=\"%2\">Go there</a>").arg(step->text).arg(step->view));
}

void MainWindow::addView(View view, const QString& title, const QString& icon, QWidget* widget)
{
    widget->setProperty("sftView", int(view));
    auto* item = new QListWidgetItem(QIcon(":/icons/" + icon + ".svg"), title);
    item->setData(Qt::UserRole, int(view));
    navigation_->addItem(item);
    stack_->addWidget(widget);
}

// What the runs library asks for happens in the views that do it.
void MainWindow::connectRuns(RunsView* runs, CompareView* compare)
{
    connect(runs, &RunsView::openRequested, this, &MainWindow::openPath);
    connect(runs, &RunsView::resumeRequested, this, [this](const QString& run) {
        train_->openRun(run);
        showView(View::Train);
        train_->resumeTraining();
    });
    connect(runs, &RunsView::runAgainRequested, this, [this](const QString& run) {
        showView(View::Train);
        train_->runAgain(run);
    });
    connect(runs, &RunsView::compareRequested, this, [this, compare](const QStringList& selected) {
        compare->compareRuns(selected);
        showView(View::Compare);
    });
    connect(runs, &RunsView::trainRequested, this, [this] { showView(View::Train); });
}

void MainWindow::announceJobEnd(const QString& name, double seconds, const QString& outcome)
{
    if (seconds < kAnnounceAfterSeconds || isActiveWindow())
        return;
    lastAnnouncement_ = tr("%1: %2 after %3").arg(name, outcome, durationText(seconds));
    QApplication::alert(this);
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    if (!tray_) {
        tray_ = new QSystemTrayIcon(windowIcon(), this);
        connect(tray_, &QSystemTrayIcon::messageClicked, this, [this] {
            showNormal();
            raise();
            activateWindow();
        });
    }
    tray_->show();
    tray_->showMessage(tr("SFT Studio"), lastAnnouncement_, windowIcon());
}

QWidget* MainWindow::view(View view) const
{
    for (int i = 0; i < stack_->count(); ++i)
        if (stack_->widget(i)->property("sftView").toInt() == int(view))
            return stack_->widget(i);
    return nullptr;
}

void MainWindow::showView(View v)
{
    if (QWidget* widget = view(v))
        navigation_->setCurrentRow(stack_->indexOf(widget));
}

MainWindow::View MainWindow::currentView() const
{
    return View(stack_->currentWidget()->property("sftView").toInt());
}

QString MainWindow::shortcutList() const
{
    QStringList lines;
    for (const QAction* action : menuBar()->findChildren<QAction*>())
        if (!action->shortcut().isEmpty())
            lines << action->shortcut().toString(QKeySequence::NativeText) + "\t" + QString(action->text()).remove('&');
    for (int i = 0; i < stack_->count(); ++i)
        for (const QAbstractButton* button : stack_->widget(i)->findChildren<QAbstractButton*>())
            if (!button->shortcut().isEmpty())
                lines << button->shortcut().toString(QKeySequence::NativeText) + "\t" +
                             navigation_->item(i)->text() + ": " + QString(button->text()).remove('&');
    return lines.join('\n');
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &dataset…"), QKeySequence::Open, this, &MainWindow::openDatasetDialog);
    file->addAction(tr("Open &run…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, &MainWindow::openRunDialog);
    recentMenu_ = file->addMenu(tr("Open &recent"));
    connect(state_, &StudioState::recentFilesChanged, this, &MainWindow::rebuildRecentMenu);
    rebuildRecentMenu();
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    for (int i = 0; i < navigation_->count(); ++i) {
        QListWidgetItem* item = navigation_->item(i);
        const View v = View(item->data(Qt::UserRole).toInt());
        viewMenu->addAction(item->icon(), item->text(), QKeySequence(Qt::CTRL | (Qt::Key_1 + int(v))), this,
                            [this, v] { showView(v); });
    }
    viewMenu->addSeparator();
    QMenu* themes = viewMenu->addMenu(tr("&Theme"));
    auto* group = new QActionGroup(themes);
    const Theme current = themeFromName(QSettings().value("theme").toString());
    for (const Theme theme : {Theme::System, Theme::Light, Theme::Dark}) {
        QAction* action = themes->addAction(theme == Theme::System ? tr("Follow the system")
                                            : theme == Theme::Light ? tr("Light")
                                                                    : tr("Dark"));
        action->setCheckable(true);
        action->setChecked(theme == current);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [theme] {
            applyTheme(theme);
            QSettings().setValue("theme", themeName(theme));
        });
    }

    QMenu* train = menuBar()->addMenu(tr("&Train"));
    // Ctrl+Return is each view's main button (Start here); the menu names it without taking it,
    // or the key would be ambiguous, and do nothing, wherever a view's button has it.
    train->addAction(tr("&Start") + '\t' + QKeySequence(Qt::CTRL | Qt::Key_Return).toString(QKeySequence::NativeText),
                     train_, &TrainView::startTraining);
    train->addAction(tr("&Pause / Resume"), QKeySequence(Qt::CTRL | Qt::Key_P), train_, &TrainView::togglePause);
    train->addAction(tr("S&top"), QKeySequence(Qt::CTRL | Qt::Key_Period), train_, &TrainView::stopTraining);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard shortcuts"), this, [this] {
        QMessageBox::information(this, tr("Keyboard shortcuts"), shortcutList());
    });
    help->addAction(tr("&About SFT Studio"), this, [this] {
        QMessageBox::about(this, tr("About SFT Studio"),
                           tr("<b>SFT Studio</b><p>Supervised instruction fine-tuning of GPT-2 models on your own "
                              "machine: the workflow of chapter 7 of <i>Build a Large Language Model (From "
                              "Scratch)</i>, native and offline.</p><p>Every action is also a command: "
                              "<tt>sft-studio help</tt>.</p>")
                               + "<pre>" + QString::fromStdString(versionText()).toHtmlEscaped() + "</pre>");
    });
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    for (const QString& path : state_->recentFiles())
        recentMenu_->addAction(path, this, [this, path] { openPath(path); });
    recentMenu_->setEnabled(!recentMenu_->isEmpty());
}

void MainWindow::openDatasetDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open dataset"), QFileInfo(state_->datasetPath()).path(),
                                                      tr("Instruction datasets (*.json *.jsonl);;All files (*)"));
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::openRunDialog()
{
    const QString path = QFileDialog::getExistingDirectory(this, tr("Open run folder"), state_->runPath());
    if (!path.isEmpty())
        openPath(path);
}

void MainWindow::openPath(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        QMessageBox::warning(this, tr("Open"), tr("%1 does not exist.").arg(path));
        return;
    }
    const QString absolute = info.absoluteFilePath();
    if (info.isFile() && !isModelFolder(absolute.toStdString())) {
        if (!looksLikeDatasetFile(absolute.toStdString())) {
            QMessageBox::warning(this, tr("Open"),
                                 tr("%1 is not a dataset: SFT Studio opens instruction datasets as a JSON list "
                                    "(.json) or JSON Lines (.jsonl) of entries with instruction, input and output.")
                                     .arg(path));
            return;
        }
        state_->setDatasetPath(absolute);
        showView(View::Data);
    } else if (isRunFolder(absolute.toStdString())) {
        train_->openRun(absolute);
        showView(View::Train);
    } else if (isModelFolder(absolute.toStdString())) {
        state_->setModelPath(absolute);
        showView(View::Models);
    } else {
        QMessageBox::warning(this, tr("Open"),
                             tr("%1 is neither a dataset file, a run folder (with run.json) nor a model folder "
                                "(config.json and model.safetensors, a .safetensors file, OpenAI's checkpoint, or "
                                "LoRA adapters).")
                                 .arg(path));
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls())
        if (url.isLocalFile())
            openPath(url.toLocalFile());
}

bool MainWindow::stopJobsForClose()
{
    const auto jobs = state_->runningJobs();
    if (jobs.empty())
        return true;
    QStringList names;
    for (const JobRunner* job : jobs)
        names << job->name();
    const auto answer = QMessageBox::question(
        this, tr("Quit SFT Studio"),
        tr("%1 still running. Stop and quit? A training run is saved where it stops.").arg(names.join(", ")),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
    if (answer != QMessageBox::Yes)
        return false;
    for (JobRunner* job : jobs) {
        job->setPaused(false);
        job->cancel();
    }
    jobStatus_->setText(tr("Stopping…"));
    for (JobRunner* job : jobs)
        job->wait();
    return true;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!data_->confirmUnsavedEdits() || !stopJobsForClose()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/state", saveState());
    settings.setValue("window/view", navigation_->currentRow());
    state_->save();
    event->accept();
}

} // namespace sft::ui
