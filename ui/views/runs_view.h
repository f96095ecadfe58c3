#pragma once
// Runs: every run in the run folders (the default one, those added, those of runs used here),
// made by this app, by the CLI or by another machine on a shared folder, with its status, steps,
// the processes that trained it together and validation losses, kept live while the view is
// shown. From here a run opens in Train, resumes, runs again with the same settings into a new
// folder, is exported (Hugging Face folder, GGUF + Ollama Modelfile), renamed, shown in the file
// manager or moved to the trash; two or more selected runs are compared.

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace sft::ui {

class JobRunner;
class RunsTableModel;
class StudioState;

class RunsView : public QWidget {
    Q_OBJECT
public:
    explicit RunsView(StudioState* state, QWidget* parent = nullptr);

    RunsTableModel* model() const { return model_; }
    // Lists the run folders again on a worker thread; the table follows when it is done.
    void refresh();
    QStringList selectedRuns() const;
    void selectRuns(const QStringList& runs);
    // What the buttons do once their dialogs are answered; false (and a message) on failure.
    bool renameRun(const QString& run, const QString& newName);
    // inTrash: where the folder went (empty when it was deleted for good instead).
    bool moveToTrash(const QString& run, QString* inTrash = nullptr);

Q_SIGNALS:
    void openRequested(const QString& run);
    void resumeRequested(const QString& run);
    void runAgainRequested(const QString& run);
    void compareRequested(const QStringList& runs);
    void trainRequested();

protected:
    void showEvent(QShowEvent* event) override;
    void hideEvent(QHideEvent* event) override;

private:
    QWidget* buildFolderRow();
    QWidget* buildButtons();
    void showScan(const QStringList& selected);
    void updateButtons();
    void askRename();
    void askTrash();
    void listFolders();
    QString currentRun() const;

    StudioState* state_;
    RunsTableModel* model_;
    QSortFilterProxyModel* sorted_;
    QTableView* table_;
    QLabel* empty_;
    QLabel* detail_;
    QComboBox* folders_;
    QPushButton* removeFolder_;
    QPushButton* open_;
    QPushButton* resume_;
    QPushButton* again_;
    QPushButton* compare_;
    QPushButton* export_;
    QPushButton* rename_;
    QPushButton* reveal_;
    QPushButton* trash_;
    JobRunner* scanner_;
    QTimer* timer_;
    bool rescan_ = false; // asked again while a scan was running
};

} // namespace sft::ui
