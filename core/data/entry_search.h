#pragma once
// Searching entries as the user types: the text fields of every entry case-folded once, so
// each keystroke is one plain scan however large the dataset.

#include "core/data/dataset.h"

#include <string>
#include <vector>

namespace sft {

class EntrySearch {
public:
    explicit EntrySearch(const std::vector<Entry>& entries);

    // For each entry: whether its instruction, input or output holds `query` (UTF-8), ignoring
    // case. An empty query matches every entry; a match never spans two fields.
    std::vector<bool> matches(const std::string& query) const;
    size_t size() const { return folded_.size(); }

private:
    std::vector<std::u16string> folded_; // UTF-16, as Qt folds case
};

} // namespace sft
