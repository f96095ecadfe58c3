#pragma once
// The application window: a navigation list on the left (Data, Models, Train, Evaluate,
// Playground, Runs, Compare), the views in a stack, menus with shortcuts and recent files, a status
// bar with the current job, drag and drop of datasets, runs and model folders. Closing while a
// job runs asks, then stops the jobs cleanly (a stopped training run saves where it stopped).

#include <QMainWindow>

class QLabel;
class QListWidget;
class QMenu;
class QStackedWidget;
class QSystemTrayIcon;

namespace sft::ui {

class CompareView;
class RunsView;
class StudioState;
class TrainView;
class DataView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    enum class View { Data, Models, Train, Evaluate, Playground, Runs, Compare };

    explicit MainWindow(QWidget* parent = nullptr);

    StudioState* state() const { return state_; }
    // A dataset file, a run folder (has run.json) or a model folder (has config.json).
    void openPath(const QString& path);
    void showView(View view);
    View currentView() const;
    TrainView* trainView() const { return train_; }
    QWidget* view(View view) const;
    // A job that ran a while and ended while the window was not in front is announced: the
    // window asks for attention, and the system tray (where there is one) shows a message.
    void announceJobEnd(const QString& name, double seconds, const QString& outcome);
    QString lastAnnouncement() const { return lastAnnouncement_; }
    static constexpr double kAnnounceAfterSeconds = 60;

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void addView(View view, const QString& title, const QString& icon, QWidget* widget);
    void buildMenus();
    // Every key the window answers to and what it does, one per line: menu items, then the
    // views' buttons (active while their view is shown).
    QString shortcutList() const;
    void rebuildRecentMenu();
    bool stopJobsForClose();
    void openDatasetDialog();
    void openRunDialog();
    void connectRuns(RunsView* runs, CompareView* compare);
    QWidget* buildNextStepBar();
    void showNextStep();

    StudioState* state_;
    QListWidget* navigation_;
    QStackedWidget* stack_;
    TrainView* train_;
    DataView* data_;
    QWidget* nextStepBar_;
    QLabel* nextStep_;
    bool nextStepDismissed_ = false;
    QLabel* jobStatus_;
    QLabel* modelStatus_;
    QMenu* recentMenu_;
    QSystemTrayIcon* tray_ = nullptr;
    QString lastAnnouncement_;
};

} // namespace sft::ui
