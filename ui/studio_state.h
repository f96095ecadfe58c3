#pragma once
// What the views share: the dataset, model and run in use, the status-bar line and the jobs
// running now (so the window can ask before closing and stop them cleanly). Persisted in
// QSettings so the next start shows the last dataset and run.

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace sft {
class LoadedModels;
}

namespace sft::ui {

class JobRunner;

class StudioState : public QObject {
    Q_OBJECT
public:
    explicit StudioState(QObject* parent = nullptr);

    QString datasetPath() const { return datasetPath_; }
    QString modelPath() const { return modelPath_; }
    QString runPath() const { return runPath_; }
    QStringList recentFiles() const { return recent_; }
    // Where new runs go by default: Documents/SFT Studio/runs.
    static QString defaultRunsFolder();
    // The folders the runs library lists: the default one, those the user added, and the
    // folder of every run used here (a run made by the CLI elsewhere and opened).
    QStringList runFolders() const;
    void addRunFolder(const QString& folder);
    void removeRunFolder(const QString& folder);
    // Exercise 7.2's prompt masking: the Train view trains with it, the Data view colours by it.
    bool maskPrompt() const { return maskPrompt_; }

    void setDatasetPath(const QString& path);
    void setModelPath(const QString& path);
    void setRunPath(const QString& path);
    void setMaskPrompt(bool mask);

    // Tokens of the longest entry of a dataset under a template, once the Data view has
    // tokenized it (0 until then): what the Train view plans memory for.
    qint64 longestExample(const QString& datasetPath, const QString& templateName) const;
    void setLongestExample(const QString& datasetPath, const QString& templateName, qint64 tokens);

    // One line for the status bar: current job, tokens/s, ETA.
    void setJobStatus(const QString& text);

    void jobStarted(JobRunner* job);
    // outcome: "finished", "stopped" or "failed", for people.
    void jobEnded(JobRunner* job, const QString& outcome);
    const std::vector<JobRunner*>& runningJobs() const { return jobs_; }

    // The models kept loaded for the views that generate (Playground, Evaluate), so that the
    // next answer with the same model does not read it again. Workers hold it too: it outlives
    // the state while their jobs end.
    std::shared_ptr<LoadedModels> loadedModels() const { return loadedModels_; }

    void restore(); // from QSettings
    void save() const;

Q_SIGNALS:
    void datasetPathChanged(const QString& path);
    void modelPathChanged(const QString& path);
    void runPathChanged(const QString& path);
    void maskPromptChanged(bool mask);
    void longestExampleChanged();
    void jobStatusChanged(const QString& text);
    void jobsChanged();
    // After jobsChanged: which job ended, after how long, and how.
    void jobOver(const QString& name, double seconds, const QString& outcome);
    void recentFilesChanged();
    void runFoldersChanged();

private:
    void addRecent(const QString& path);

    QString datasetPath_, modelPath_, runPath_;
    QStringList recent_;
    QStringList runFolders_; // beyond the default one
    std::vector<JobRunner*> jobs_;
    std::shared_ptr<LoadedModels> loadedModels_;
    bool maskPrompt_ = false;
    QString longestDataset_, longestTemplate_;
    qint64 longestTokens_ = 0;
};

} // namespace sft::ui
