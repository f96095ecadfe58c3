#include "ui/views/checkpoint_picker.h"

#include "core/io/model_folder.h"
#include "ui/studio_state.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSignalBlocker>

namespace sft::ui {

namespace {

// The item that opens a folder dialog instead of naming a model.
const QString kBrowseMarker = QStringLiteral("\x01browse");

QStringList runCheckpoints(const QString& runPath)
{
    QStringList paths;
    if (runPath.isEmpty())
        return paths;
    const QDir dir(runPath + "/checkpoints");
    for (const QString& name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString path = dir.filePath(name);
        if (isModelFolder(path.toStdString()))
            paths << path;
    }
    return paths;
}

} // namespace

CheckpointPicker::CheckpointPicker(StudioState* state, const QString& noneText, QWidget* parent)
    : QComboBox(parent), state_(state), noneText_(noneText)
{
    setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    setMinimumContentsLength(24);
    setPlaceholderText(tr("No model yet: train a run or pick one in Models"));
    connect(state_, &StudioState::modelPathChanged, this, &CheckpointPicker::refresh);
    connect(state_, &StudioState::runPathChanged, this, &CheckpointPicker::refresh);
    connect(this, qOverload<int>(&QComboBox::activated), this, &CheckpointPicker::onActivated);
    connect(this, qOverload<int>(&QComboBox::currentIndexChanged), this, &CheckpointPicker::announce);
    refresh();
}

void CheckpointPicker::announce()
{
    const QString path = currentPath();
    if (currentData().toString() == kBrowseMarker || path == lastPath_)
        return;
    lastPath_ = path;
    Q_EMIT pathChanged(path);
}

QString CheckpointPicker::currentPath() const
{
    const QString data = currentData().toString();
    return data == kBrowseMarker ? lastPath_ : data;
}

QString CheckpointPicker::nameOf(const QString& path)
{
    return QFileInfo(QDir::cleanPath(path)).fileName();
}

void CheckpointPicker::setCurrentPath(const QString& path)
{
    if (findData(path) < 0) {
        browsed_ << path;
        refresh();
    }
    setCurrentIndex(findData(path));
}

void CheckpointPicker::addChoice(const QString& label, const QString& path)
{
    if (findData(path) < 0) {
        addItem(label, path);
        setItemData(count() - 1, path, Qt::ToolTipRole);
    }
}

void CheckpointPicker::refresh()
{
    const QString previous = currentPath();
    const QStringList checkpoints = runCheckpoints(state_->runPath());
    {
        const QSignalBlocker blocker(this);
        clear();
        if (!noneText_.isEmpty())
            addItem(noneText_, QString());
        for (const QString& path : checkpoints)
            addChoice(tr("Run checkpoint: %1").arg(nameOf(path)), path);
        if (!state_->modelPath().isEmpty())
            addChoice(tr("Model in use: %1").arg(nameOf(state_->modelPath())), state_->modelPath());
        for (const QString& path : browsed_)
            addChoice(tr("Folder: %1").arg(nameOf(path)), path);
        addItem(tr("Other model folder…"), kBrowseMarker);
        // Keep what was chosen; else the run's final checkpoint, its latest, or the model in use.
        int index = findData(previous);
        if (index < 0 && noneText_.isEmpty()) {
            const QString finalPath = QDir(state_->runPath() + "/checkpoints").filePath("final");
            index = checkpoints.contains(finalPath) ? findData(finalPath)
                    : !checkpoints.isEmpty()        ? findData(checkpoints.last())
                                                    : findData(state_->modelPath());
        }
        setCurrentIndex(index >= 0 || !noneText_.isEmpty() ? std::max(index, 0) : -1);
    }
    announce();
}

void CheckpointPicker::showEvent(QShowEvent* event)
{
    refresh();
    QComboBox::showEvent(event);
}

void CheckpointPicker::onActivated(int index)
{
    if (itemData(index).toString() != kBrowseMarker)
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose a model folder"), lastPath_);
    if (dir.isEmpty()) {
        setCurrentIndex(findData(lastPath_));
        return;
    }
    setCurrentPath(dir);
}

} // namespace sft::ui
