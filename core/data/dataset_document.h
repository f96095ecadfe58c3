#pragma once
// A dataset file as a person edits it: its items in file order (one per JSON array element or
// JSON Lines line, bad ones included, so positions are the file's entry indices) and the form it
// was written in. Saving keeps that form: an item nobody touched is written back byte for byte,
// an edited or new one is written as the file's own writer would have written it (indentation,
// key order, separators, non-ASCII escaped or not), so a save changes only what was edited.

#include "core/data/dataset.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sft {

// How a file writes its items; read off the file, or the chapter's json.dump(data, f, indent=4)
// for a new one.
struct FileForm {
    bool jsonLines = false;
    std::string indent = "    "; // one nesting level; empty: each item on one line
    bool asciiOnly = true;       // non-ASCII as \u escapes (Python's ensure_ascii)
    bool spacedSeparators = true; // "a, b" and "k: v" on one line (Python's json.dumps), else "a,b" "k:v"
    bool crlf = false;
    bool byteOrderMark = false;
    bool finalNewline = false;
};

// One item of the file: what it holds, and its text as read while it is unchanged.
struct DocumentItem {
    nlohmann::ordered_json value;  // discarded when the text is not JSON (a broken JSON Lines line)
    std::optional<std::string> raw; // the item's bytes in the file; none once edited or for new items
    std::optional<std::string> before; // what separated it from the item before it in the file
    std::optional<size_t> origin;      // its position in the file as read; none for new items
};

class DatasetDocument {
public:
    // Throws DatasetError as loadDataset does for a file that is not a dataset at all. The entries
    // read on the way (as dataset() would give them) go to `entries` when it is given, so a
    // reader of both does not parse the file twice.
    static DatasetDocument open(const std::string& path, Dataset* entries = nullptr);
    static DatasetDocument parse(const std::string& bytes, const std::string& path, Dataset* entries = nullptr);
    // A new file of these items (imports, generated data), not yet written anywhere.
    static DatasetDocument fromItems(std::vector<nlohmann::ordered_json> items, FileForm form = {});

    const std::string& path() const { return path_; }
    const FileForm& form() const { return form_; }
    size_t size() const { return items_.size(); }
    const DocumentItem& item(size_t index) const { return items_.at(index); }
    const std::vector<DocumentItem>& items() const { return items_; }

    // A text field of an item ("instruction", "input", "output", ...); a new key goes last.
    void setText(size_t index, const std::string& field, const std::string& text);
    void replace(size_t index, nlohmann::ordered_json value);
    void insert(size_t at, nlohmann::ordered_json value);
    void remove(size_t index);
    void move(size_t from, size_t to);
    // Whole items, raw text included, as undo puts them back: an undone edit saves byte for byte.
    void setItem(size_t index, DocumentItem item);
    void insertItem(size_t at, DocumentItem item);
    // All items at once, as an autosave restores them.
    void setItems(std::vector<DocumentItem> items);

    // The file's bytes now; equal to the bytes read while nothing changed.
    std::string serialize() const;
    // The entries as loadDataset reads them from serialize() (same rules, same problems).
    Dataset dataset(BadEntries policy = BadEntries::Skip, EntryFields fields = EntryFields::Instruction) const;
    // Writes serialize() atomically (temporary file, flush, rename) to the path, or to a new one
    // which then becomes the document's path.
    void save();
    void saveAs(const std::string& path);
    // The sha256 of the bytes last read or written: whether the file on disk is still ours.
    const std::string& savedSha256() const { return savedSha256_; }

private:
    std::string path_;
    FileForm form_;
    std::vector<DocumentItem> items_;
    std::string head_, tail_;   // array: "[" and what precedes the first item; "]" and after the last
    std::string separator_;     // between two items as read: ",\n    " or "\n"
    std::optional<std::string> unchanged_; // the bytes read, while no edit was made
    std::string savedSha256_;
};

} // namespace sft
