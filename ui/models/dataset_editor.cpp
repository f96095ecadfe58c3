#include "ui/models/dataset_editor.h"

#include "core/data/dataset_autosave.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>
#include <QUndoCommand>
#include <QUndoStack>

#include <algorithm>
#include <functional>
#include <utility>

namespace sft::ui {

using nlohmann::ordered_json;

namespace {

// After the last of a burst of edits: often enough that a crash loses seconds of work, rarely
// enough that typing does not rewrite the autosave on every keystroke.
constexpr int kAutosaveDelayMs = 800;

DocumentItem newItem(ordered_json value) { return {std::move(value), std::nullopt, std::nullopt, std::nullopt}; }

ordered_json emptyEntry() { return {{"instruction", ""}, {"input", ""}, {"output", ""}}; }

} // namespace

// An edit and its inverse, both on whole items so an undo puts back the exact bytes read.
class DocumentCommand : public QUndoCommand {
public:
    using Change = std::function<void(DatasetDocument&)>;
    DocumentCommand(DatasetEditor* editor, const QString& text, Change redo, Change undo)
        : QUndoCommand(text), editor_(editor), redo_(std::move(redo)), undo_(std::move(undo))
    {
    }
    void redo() override { redo_(editor_->mutableDocument()); }
    void undo() override { undo_(editor_->mutableDocument()); }

private:
    DatasetEditor* editor_;
    Change redo_, undo_;
};

DatasetEditor::DatasetEditor(QObject* parent)
    : QObject(parent), undo_(new QUndoStack(this)), autosave_(new QTimer(this)), watcher_(new QFileSystemWatcher(this))
{
    autosave_->setSingleShot(true);
    autosave_->setInterval(kAutosaveDelayMs);
    connect(autosave_, &QTimer::timeout, this, &DatasetEditor::writeAutosaveNow);
    connect(undo_, &QUndoStack::indexChanged, this, &DatasetEditor::afterChange);
    connect(undo_, &QUndoStack::cleanChanged, this, [this] { afterChange(); });
    connect(watcher_, &QFileSystemWatcher::fileChanged, this, &DatasetEditor::onFileChanged);
}

void DatasetEditor::setDocument(DatasetDocument document, bool restored)
{
    autosave_->stop();
    document_ = std::make_unique<DatasetDocument>(std::move(document));
    restored_ = restored;
    // A new file starts unmodified: its own autosave, if any, waits for the user's answer.
    if (std::exchange(modified_, false))
        Q_EMIT modifiedChanged(false);
    undo_->clear();
    undo_->setClean();
    watch();
    afterChange();
    if (restored_)
        writeAutosaveNow();
}

QString DatasetEditor::path() const { return document_ ? QString::fromStdString(document_->path()) : QString(); }

bool DatasetEditor::isModified() const { return document_ && (restored_ || !undo_->isClean()); }

void DatasetEditor::setText(size_t item, const QString& field, const QString& text)
{
    setTexts(item, {{field, text}});
}

void DatasetEditor::setTexts(size_t item, const std::vector<std::pair<QString, QString>>& fieldTexts)
{
    const DocumentItem before = document_->item(item);
    if (!before.value.is_object())
        throw DatasetError(tr("entry %1 is not a JSON object and cannot be edited").arg(item).toStdString());
    DocumentItem after = newItem(before.value);
    after.before = before.before;
    after.origin = before.origin;
    QStringList fields;
    for (const auto& [field, text] : fieldTexts) {
        after.value[field.toStdString()] = text.toStdString();
        fields << field;
    }
    if (after.value == before.value)
        return;
    undo_->push(new DocumentCommand(
        this, tr("Edit %1 of entry %2").arg(fields.join(", ")).arg(item),
        [item, after](DatasetDocument& d) { d.setItem(item, after); },
        [item, before](DatasetDocument& d) { d.setItem(item, before); }));
}

void DatasetEditor::addEntry(size_t at)
{
    const DocumentItem item = newItem(emptyEntry());
    undo_->push(new DocumentCommand(
        this, tr("Add an entry"), [at, item](DatasetDocument& d) { d.insertItem(at, item); },
        [at](DatasetDocument& d) { d.remove(at); }));
}

void DatasetEditor::duplicate(size_t item)
{
    const DocumentItem copy = newItem(document_->item(item).value);
    undo_->push(new DocumentCommand(
        this, tr("Duplicate entry %1").arg(item), [item, copy](DatasetDocument& d) { d.insertItem(item + 1, copy); },
        [item](DatasetDocument& d) { d.remove(item + 1); }));
}

void DatasetEditor::remove(std::vector<size_t> items, const QString& what)
{
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    if (items.empty())
        return;
    std::vector<DocumentItem> removed;
    for (size_t index : items)
        removed.push_back(document_->item(index));
    // From the back, so the positions still name the items the user picked.
    undo_->push(new DocumentCommand(
        this, what,
        [items](DatasetDocument& d) {
            for (auto it = items.rbegin(); it != items.rend(); ++it)
                d.remove(*it);
        },
        [items, removed](DatasetDocument& d) {
            for (size_t i = 0; i < items.size(); ++i)
                d.insertItem(items[i], removed[i]);
        }));
}

void DatasetEditor::move(size_t from, size_t to)
{
    if (from == to || to >= document_->size())
        return;
    undo_->push(new DocumentCommand(
        this, tr("Move entry %1 to %2").arg(from).arg(to), [from, to](DatasetDocument& d) { d.move(from, to); },
        [from, to](DatasetDocument& d) { d.move(to, from); }));
}

void DatasetEditor::append(const std::vector<ordered_json>& values, const QString& what)
{
    if (values.empty())
        return;
    const size_t at = document_->size();
    undo_->push(new DocumentCommand(
        this, what,
        [at, values](DatasetDocument& d) {
            for (size_t i = 0; i < values.size(); ++i)
                d.insertItem(at + i, newItem(values[i]));
        },
        [at, count = values.size()](DatasetDocument& d) {
            for (size_t i = 0; i < count; ++i)
                d.remove(at);
        }));
}

bool DatasetEditor::saveAs(const QString& path, QString* error)
{
    const std::string oldPath = document_->path();
    try {
        document_->saveAs(path.toStdString());
    } catch (const Error& e) {
        *error = QString::fromUtf8(e.what());
        return false;
    }
    discardAutosave(oldPath);
    restored_ = false;
    autosave_->stop();
    undo_->setClean();
    watch();
    afterChange();
    return true;
}

void DatasetEditor::discardEdits()
{
    autosave_->stop();
    if (document_)
        discardAutosave(document_->path());
    document_.reset();
    restored_ = false;
    undo_->clear();
}

void DatasetEditor::afterChange()
{
    const bool modified = isModified();
    const bool was = std::exchange(modified_, modified);
    if (modified) {
        autosave_->start();
    } else if (was) { // undone back to what the file holds: nothing left to keep
        autosave_->stop();
        discardAutosave(document_->path());
    }
    if (was != modified)
        Q_EMIT modifiedChanged(modified);
    Q_EMIT documentChanged();
}

void DatasetEditor::writeAutosaveNow()
{
    if (!isModified() || document_->path().empty())
        return;
    try {
        writeAutosave(*document_);
    } catch (const Error&) {
        // A folder we may not write to (a read-only share): editing goes on without the safety net.
    }
}

void DatasetEditor::watch()
{
    if (!watcher_->files().isEmpty())
        watcher_->removePaths(watcher_->files());
    if (document_ && QFileInfo::exists(path()))
        watcher_->addPath(path());
}

// Saving replaces the file (a rename), which the watcher reports too: only a content that is
// not what was read or written here counts as someone else's change.
void DatasetEditor::onFileChanged()
{
    if (!document_)
        return;
    watch();
    const std::string path = document_->path();
    if (fileExists(path) && sha256OfFile(path) == document_->savedSha256())
        return;
    Q_EMIT changedOnDisk();
}

} // namespace sft::ui
