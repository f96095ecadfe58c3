#pragma once
// The open dataset as the Data view edits it: the core's DatasetDocument, every change an undo
// step, a modified state, Save and Save As, an autosave a moment after each edit (so a crash
// loses nothing) and a watch on the file for changes made by someone else.

#include "core/data/dataset_document.h"

#include <QObject>
#include <QString>

#include <memory>
#include <vector>

class QFileSystemWatcher;
class QTimer;
class QUndoStack;

namespace sft::ui {

class DatasetEditor : public QObject {
    Q_OBJECT
public:
    explicit DatasetEditor(QObject* parent = nullptr);

    // The document read from disk; undo history starts anew. `restored`: it holds autosaved
    // edits, so it counts as modified until saved.
    void setDocument(DatasetDocument document, bool restored = false);
    bool hasDocument() const { return document_ != nullptr; }
    const DatasetDocument& document() const { return *document_; }
    QString path() const;
    QUndoStack* undoStack() const { return undo_; }
    bool isModified() const;

    // Each is one undo step; items are the document's positions (the file's entry indices).
    void setText(size_t item, const QString& field, const QString& text);
    void setTexts(size_t item, const std::vector<std::pair<QString, QString>>& fieldTexts);
    void addEntry(size_t at);
    void duplicate(size_t item);
    void remove(std::vector<size_t> items, const QString& what);
    void move(size_t from, size_t to);
    void append(const std::vector<nlohmann::ordered_json>& values, const QString& what);

    // To its own path or a new one. False with `error` set when the file cannot be written; the
    // edits stay.
    bool saveAs(const QString& path, QString* error);
    // Drops the edits and the autosave: the file as it is on disk now is read again by the view.
    void discardEdits();

Q_SIGNALS:
    void documentChanged(); // an edit, undo, redo or a restore: the entries shown must follow
    void modifiedChanged(bool modified);
    void changedOnDisk(); // the file no longer holds what was read or saved here

private:
    friend class DocumentCommand;
    DatasetDocument& mutableDocument() { return *document_; }
    void afterChange();
    void writeAutosaveNow();
    void watch();
    void onFileChanged();

    std::unique_ptr<DatasetDocument> document_;
    QUndoStack* undo_;
    QTimer* autosave_;
    QFileSystemWatcher* watcher_;
    bool restored_ = false;
    bool modified_ = false;
};

} // namespace sft::ui
