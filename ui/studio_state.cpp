#include "ui/studio_state.h"

#include "core/jobs/loaded_models.h"
#include "core/train/run_library.h"
#include "ui/workers/job_runner.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include <algorithm>

namespace sft::ui {

namespace {
constexpr int kMaxRecent = 8;
}

StudioState::StudioState(QObject* parent) : QObject(parent), loadedModels_(std::make_shared<LoadedModels>()) {}

void StudioState::setDatasetPath(const QString& path)
{
    addRecent(path);
    if (path == datasetPath_)
        return;
    datasetPath_ = path;
    Q_EMIT datasetPathChanged(path);
}

void StudioState::setModelPath(const QString& path)
{
    if (path == modelPath_)
        return;
    modelPath_ = path;
    Q_EMIT modelPathChanged(path);
}

void StudioState::setRunPath(const QString& path)
{
    addRecent(path);
    if (!path.isEmpty())
        addRunFolder(QFileInfo(path).absolutePath());
    if (path == runPath_)
        return;
    runPath_ = path;
    Q_EMIT runPathChanged(path);
}

QString StudioState::defaultRunsFolder()
{
    return QString::fromStdString(sft::defaultRunsFolder());
}

QStringList StudioState::runFolders() const
{
    return QStringList{defaultRunsFolder()} + runFolders_;
}

void StudioState::addRunFolder(const QString& folder)
{
    const QString clean = QDir::cleanPath(QFileInfo(folder).absoluteFilePath());
    if (clean.isEmpty() || runFolders().contains(clean))
        return;
    runFolders_.append(clean);
    Q_EMIT runFoldersChanged();
}

void StudioState::removeRunFolder(const QString& folder)
{
    if (runFolders_.removeAll(folder) > 0)
        Q_EMIT runFoldersChanged();
}

void StudioState::setMaskPrompt(bool mask)
{
    if (mask == maskPrompt_)
        return;
    maskPrompt_ = mask;
    Q_EMIT maskPromptChanged(mask);
}

qint64 StudioState::longestExample(const QString& datasetPath, const QString& templateName) const
{
    return datasetPath == longestDataset_ && templateName == longestTemplate_ ? longestTokens_ : 0;
}

void StudioState::setLongestExample(const QString& datasetPath, const QString& templateName, qint64 tokens)
{
    longestDataset_ = datasetPath;
    longestTemplate_ = templateName;
    longestTokens_ = tokens;
    Q_EMIT longestExampleChanged();
}

void StudioState::setJobStatus(const QString& text)
{
    Q_EMIT jobStatusChanged(text);
}

void StudioState::jobStarted(JobRunner* job)
{
    jobs_.push_back(job);
    Q_EMIT jobsChanged();
}

void StudioState::jobEnded(JobRunner* job, const QString& outcome)
{
    jobs_.erase(std::remove(jobs_.begin(), jobs_.end(), job), jobs_.end());
    Q_EMIT jobsChanged();
    Q_EMIT jobOver(job->name(), job->seconds(), outcome);
}

void StudioState::addRecent(const QString& path)
{
    if (path.isEmpty())
        return;
    recent_.removeAll(path);
    recent_.prepend(path);
    while (recent_.size() > kMaxRecent)
        recent_.removeLast();
    Q_EMIT recentFilesChanged();
}

void StudioState::restore()
{
    QSettings settings;
    recent_ = settings.value("recentFiles").toStringList();
    datasetPath_ = settings.value("dataset").toString();
    modelPath_ = settings.value("model").toString();
    runPath_ = settings.value("run").toString();
    runFolders_ = settings.value("runFolders").toStringList();
}

void StudioState::save() const
{
    QSettings settings;
    settings.setValue("recentFiles", recent_);
    settings.setValue("dataset", datasetPath_);
    settings.setValue("model", modelPath_);
    settings.setValue("run", runPath_);
    settings.setValue("runFolders", runFolders_);
}

} // namespace sft::ui
