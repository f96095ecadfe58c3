#pragma once
// Instruction datasets: a JSON array or JSON Lines of {instruction, input?, output}; preference
// datasets (DPO) add the two answers compared, {chosen, rejected}.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace sft {

struct Entry {
    std::string instruction;
    std::string input;  // empty when absent or null
    std::string output;
    std::string chosen;   // preference data: the preferred answer ...
    std::string rejected; // ... and the other one
    bool hasPreference = false; // the entry carries both chosen and rejected
    size_t index = 0;   // position in the file, 0-based (JSONL: counting non-blank lines)
    nlohmann::json source; // the entry as read, so writers keep every field
};

// One entry that could not be used: where it is and why.
struct EntryProblem {
    size_t index = 0;    // entry index (JSON array) or 1-based line number (JSONL)
    bool isLine = false;
    std::string field;   // empty when the problem is the entry as a whole
    std::string reason;
    size_t entry = 0;    // the entry's position in the file, 0-based, as Entry::index
    std::string describe() const; // "entry 12: field 'output' is missing"
};

struct Dataset {
    std::string path;
    std::string sha256;
    std::vector<Entry> entries;
    std::vector<EntryProblem> skipped;  // bad entries reported and left out (BadEntries::Skip)
    std::vector<EntryProblem> warnings; // entries used as the chapter would, worth a look (empty output)
    bool preferences = false;           // every entry carries chosen and rejected: a DPO dataset
};

enum class BadEntries { Refuse, Skip };
// What an entry must carry: instruction data, or preference pairs as well (chosen and rejected
// then count as required fields, and an entry lacking one is a bad entry).
enum class EntryFields { Instruction, Preference };

// Throws DatasetError naming the file, the entry or line, the field and the problem.
// With BadEntries::Skip a file with some bad entries loads and lists them in `skipped`;
// a file that is not a dataset at all (not JSON, empty, no valid entry) is still an error.
Dataset loadDataset(const std::string& path, BadEntries policy = BadEntries::Refuse,
                    EntryFields fields = EntryFields::Instruction);
Dataset parseDataset(const std::string& bytes, const std::string& nameForErrors,
                     BadEntries policy = BadEntries::Refuse, EntryFields fields = EntryFields::Instruction);
// Whether the file can be a dataset at all: its first character past a byte-order mark and
// blanks opens a JSON list or object (JSON Lines). For refusing an image or a zip dropped on
// the window at once, before reading it whole.
bool looksLikeDatasetFile(const std::string& path);

// The chapter's order-preserving split: first 85% train, next 10% test, the rest validation.
struct Split {
    std::vector<Entry> train, test, val;
};
Split splitDataset(const std::vector<Entry>& entries);
// "train" | "val" | "test" | "all"; throws ConfigError for other names.
std::vector<Entry> selectSplit(const std::vector<Entry>& entries, const std::string& name);

} // namespace sft
