#include "ui/views/runs_view.h"

#include "core/train/run_library.h"
#include "ui/models/runs_table_model.h"
#include "ui/named.h"
#include "ui/studio_state.h"
#include "ui/views/export_dialog.h"
#include "ui/workers/job_runner.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

#include <memory>
#include <utility>

namespace sft::ui {

namespace {

// Often enough to follow a run's steps; a scan reads a few small files per run.
constexpr int kRefreshMs = 2000;

QPushButton* button(const QString& text, const QString& name, const QString& tip)
{
    auto* b = named(new QPushButton(text), name);
    b->setToolTip(tip);
    return b;
}

} // namespace

RunsView::RunsView(StudioState* state, QWidget* parent)
    : QWidget(parent),
      state_(state),
      model_(new RunsTableModel(this)),
      sorted_(new QSortFilterProxyModel(this)),
      table_(named(new QTableView(this), "runsTable")),
      empty_(named(new QLabel(this), "emptyRuns")),
      detail_(named(new QLabel(this), "runDetail")),
      scanner_(new JobRunner(tr("Listing runs"), nullptr, this)),
      timer_(new QTimer(this))
{
    sorted_->setSourceModel(model_);
    sorted_->setSortRole(RunsTableModel::SortRole);
    table_->setModel(sorted_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(RunsTableModel::Started, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setWordWrap(false);
    table_->verticalHeader()->hide();
    QHeaderView* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(RunsTableModel::Name, QHeaderView::Stretch);
    header->setSectionResizeMode(RunsTableModel::Model, QHeaderView::Interactive);
    header->resizeSection(RunsTableModel::Model, 160);
    header->setSectionResizeMode(RunsTableModel::Dataset, QHeaderView::Interactive);
    header->resizeSection(RunsTableModel::Dataset, 160);
    empty_->setWordWrap(true);
    empty_->setTextFormat(Qt::RichText);
    detail_->setWordWrap(true);
    detail_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildFolderRow());
    layout->addWidget(empty_);
    layout->addWidget(table_, 1);
    layout->addWidget(detail_);
    layout->addWidget(buildButtons());

    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsView::updateButtons);
    connect(table_, &QTableView::doubleClicked, this, [this] {
        if (!currentRun().isEmpty())
            Q_EMIT openRequested(currentRun());
    });
    connect(empty_, &QLabel::linkActivated, this, &RunsView::trainRequested);
    connect(scanner_, &JobRunner::finished, this, [this] {
        if (std::exchange(rescan_, false))
            refresh();
    });
    connect(timer_, &QTimer::timeout, this, &RunsView::refresh);
    connect(state_, &StudioState::runFoldersChanged, this, [this] {
        listFolders();
        refresh();
    });
    connect(state_, &StudioState::runPathChanged, this, &RunsView::refresh);
    timer_->setInterval(kRefreshMs);
    listFolders();
    showScan({});
    refresh();
}

QWidget* RunsView::buildFolderRow()
{
    folders_ = named(new QComboBox, "runFolders");
    folders_->setToolTip(tr("The folders whose runs are listed: each run folder in them, and the folder itself when "
                            "it is a run"));
    auto* add = button(tr("Add folder…"), "addFolder",
                       tr("List the runs in another folder too (a shared folder that runs on other machines write "
                          "to, or where `sft-studio train --out` put them)"));
    removeFolder_ = button(tr("Remove folder"), "removeFolder", tr("Stop listing the runs of the folder shown"));
    connect(add, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Add a folder of runs"));
        if (!dir.isEmpty())
            state_->addRunFolder(dir);
    });
    connect(removeFolder_, &QPushButton::clicked, this, [this] { state_->removeRunFolder(folders_->currentText()); });
    connect(folders_, &QComboBox::currentIndexChanged, this,
            [this](int i) { removeFolder_->setEnabled(i > 0); }); // the default folder stays
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Run folders:")));
    layout->addWidget(folders_, 1);
    layout->addWidget(add);
    layout->addWidget(removeFolder_);
    return row;
}

QWidget* RunsView::buildButtons()
{
    open_ = button(tr("Open in Train"), "openRun", tr("Show the run's settings, charts and log in Train (double-click)"));
    resume_ = button(tr("Resume"), "resumeRun", tr("Continue a stopped or failed run from its last checkpoint"));
    again_ = button(tr("Run again"), "runAgain", tr("Start a new run with the same model, dataset and settings"));
    compare_ = button(tr("Compare"), "compareRuns", tr("Overlay the loss curves and list the settings that differ of "
                                                       "the selected runs (select two or more)"));
    export_ = button(tr("Export…"), "exportRun", tr("Write a checkpoint of the run as a Hugging Face folder, or as "
                                                    "GGUF with an Ollama Modelfile"));
    rename_ = button(tr("Rename…"), "renameRun", tr("Rename the run's folder"));
    reveal_ = button(tr("Show in file manager"), "revealRun", tr("Open the run's folder in the file manager"));
    trash_ = button(tr("Move to trash"), "trashRun", tr("Move the run's folder to the trash"));
    connect(open_, &QPushButton::clicked, this, [this] { Q_EMIT openRequested(currentRun()); });
    connect(resume_, &QPushButton::clicked, this, [this] { Q_EMIT resumeRequested(currentRun()); });
    connect(again_, &QPushButton::clicked, this, [this] { Q_EMIT runAgainRequested(currentRun()); });
    connect(compare_, &QPushButton::clicked, this, [this] { Q_EMIT compareRequested(selectedRuns()); });
    connect(export_, &QPushButton::clicked, this, [this] {
        ExportDialog dialog(currentRun(), state_, this);
        dialog.exec();
    });
    connect(rename_, &QPushButton::clicked, this, &RunsView::askRename);
    connect(reveal_, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(currentRun())); });
    connect(trash_, &QPushButton::clicked, this, &RunsView::askTrash);
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QPushButton* b : {open_, resume_, again_, compare_})
        layout->addWidget(b);
    layout->addStretch();
    for (QPushButton* b : {export_, rename_, reveal_, trash_})
        layout->addWidget(b);
    return row;
}

void RunsView::listFolders()
{
    const QString current = folders_->currentText();
    folders_->clear();
    folders_->addItems(state_->runFolders());
    folders_->setCurrentIndex(std::max(0, folders_->findText(current)));
    removeFolder_->setEnabled(folders_->currentIndex() > 0);
}

void RunsView::refresh()
{
    if (scanner_->isRunning()) {
        rescan_ = true;
        return;
    }
    std::vector<std::string> folders;
    for (const QString& folder : state_->runFolders())
        folders.push_back(folder.toStdString());
    scanner_->start([this, folders] {
        auto runs = std::make_shared<std::vector<RunSummary>>(findRuns(folders));
        scanner_->post([this, runs] {
            const QStringList selected = selectedRuns();
            model_->setRuns(std::move(*runs));
            showScan(selected);
        });
    });
}

// After a scan: the selection kept (by path, when the rows were replaced) and the empty state.
void RunsView::showScan(const QStringList& selected)
{
    if (selectedRuns() != selected)
        selectRuns(selected);
    const bool none = model_->rowCount() == 0;
    empty_->setVisible(none);
    if (none)
        empty_->setText(tr("<p>No runs in these folders yet. <a href=\"train\">Start one in Train</a>; a run made "
                           "with <tt>sft-studio train --out DIR</tt> is listed once its folder is added here (or "
                           "opened with File &gt; Open run).</p>"));
    updateButtons();
}

QStringList RunsView::selectedRuns() const
{
    QStringList runs;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows())
        runs << index.data(RunsTableModel::PathRole).toString();
    return runs;
}

void RunsView::selectRuns(const QStringList& runs)
{
    QItemSelection selection;
    for (int row = 0; row < sorted_->rowCount(); ++row) {
        const QModelIndex index = sorted_->index(row, 0);
        if (runs.contains(index.data(RunsTableModel::PathRole).toString()))
            selection.select(index, sorted_->index(row, RunsTableModel::ColumnCount - 1));
    }
    table_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

QString RunsView::currentRun() const
{
    const QStringList runs = selectedRuns();
    return runs.size() == 1 ? runs.front() : QString();
}

void RunsView::updateButtons()
{
    const QStringList runs = selectedRuns();
    const bool one = runs.size() == 1;
    RunStatus status = RunStatus::Failed;
    QString detail;
    for (int row = 0; one && row < model_->rowCount(); ++row) {
        const RunSummary& run = model_->runAt(row);
        if (QString::fromStdString(run.path) == runs.front()) {
            status = run.status;
            detail = QString::fromStdString(run.path) + (run.detail.empty() ? QString() : QStringLiteral(" — ") +
                                                                                        QString::fromStdString(run.detail));
        }
    }
    const bool running = status == RunStatus::Running;
    open_->setEnabled(one);
    resume_->setEnabled(one && (status == RunStatus::Stopped || status == RunStatus::Failed));
    again_->setEnabled(one);
    compare_->setEnabled(runs.size() >= 2);
    export_->setEnabled(one);
    rename_->setEnabled(one && !running);
    reveal_->setEnabled(one);
    trash_->setEnabled(one && !running);
    detail_->setText(one ? detail : runs.size() > 1 ? tr("%1 runs selected").arg(runs.size()) : QString());
}

void RunsView::askRename()
{
    const QString run = currentRun();
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename run"), tr("New folder name:"), QLineEdit::Normal,
                                               QFileInfo(run).fileName(), &ok);
    if (ok && !name.isEmpty() && name != QFileInfo(run).fileName())
        renameRun(run, name);
}

bool RunsView::renameRun(const QString& run, const QString& newName)
{
    try {
        const QString renamed = QString::fromStdString(sft::renameRun(run.toStdString(), newName.toStdString()));
        if (state_->runPath() == run)
            state_->setRunPath(renamed);
        refresh();
        return true;
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Rename run"), QString::fromStdString(e.what()));
        return false;
    }
}

void RunsView::askTrash()
{
    const QString run = currentRun();
    if (QMessageBox::question(this, tr("Move to trash"), tr("Move the run %1 and all its checkpoints to the trash?").arg(run)) ==
        QMessageBox::Yes)
        moveToTrash(run);
}

bool RunsView::moveToTrash(const QString& run, QString* inTrash)
{
    if (summarizeRun(run.toStdString()).status == RunStatus::Running) {
        QMessageBox::warning(this, tr("Move to trash"), tr("%1 is running; stop it first.").arg(run));
        return false;
    }
    // Qt makes the home's Trash folder but not the data folder it belongs in.
    QDir().mkpath(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation));
    QString trashed;
    bool moved = QFile::moveToTrash(run, &trashed);
    // Qt 6.4 moves into ./files of the working folder when it finds no trash for the run's file
    // system: that is no trash, so the folder goes back.
    if (moved && QDir::isRelativePath(trashed)) {
        moved = !QDir().rename(trashed, run);
        QFile::remove("info/" + QFileInfo(trashed).fileName() + ".trashinfo");
    }
    if (inTrash)
        *inTrash = moved ? trashed : QString();
    if (!moved) {
        // No trash on this file system (a network share, a removable disk): ask before deleting for good.
        if (QMessageBox::question(this, tr("Move to trash"),
                                  tr("%1 cannot be moved to a trash here. Delete it permanently?").arg(run)) !=
                QMessageBox::Yes ||
            !QDir(run).removeRecursively()) {
            return false;
        }
    }
    refresh();
    return true;
}

void RunsView::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    refresh();
    timer_->start();
}

void RunsView::hideEvent(QHideEvent* event)
{
    timer_->stop();
    QWidget::hideEvent(event);
}

} // namespace sft::ui
