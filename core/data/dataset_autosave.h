#pragma once
// Unsaved edits of a dataset kept next to it (.NAME.sft-autosave.json), rewritten atomically
// a moment after each edit, so that a crash or a kill loses nothing: the next time the file is
// opened, the edits are offered back. Unchanged items are stored as their position in the file
// (they come back byte for byte), edited and new ones whole; so the autosave belongs to one
// version of the file, named by its sha256.

#include "core/data/dataset_document.h"

#include <optional>
#include <string>

namespace sft {

struct AutosaveInfo {
    std::string path;      // the autosave file
    std::string savedAt;   // local time, "2026-12-06 21:40:12"
    size_t items = 0;      // entries in the autosaved dataset
    size_t changed = 0;    // of which edited or new
    bool matchesFile = false; // made from the file as it is now on disk (else it cannot be restored)
};

std::string autosavePathFor(const std::string& datasetPath);
void writeAutosave(const DatasetDocument& document);
// The autosave of this dataset, if there is one.
std::optional<AutosaveInfo> findAutosave(const std::string& datasetPath);
// The document with the autosaved edits, not yet saved; throws DatasetError when the file changed
// since the edits were made, or the autosave is damaged.
DatasetDocument restoreAutosave(const std::string& datasetPath);
void discardAutosave(const std::string& datasetPath);

} // namespace sft
