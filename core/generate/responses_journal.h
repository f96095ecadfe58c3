#pragma once
// The journal a responses file is made through (OUT.journal.jsonl): every batch's answers land
// there as soon as they are decoded, and the file itself is written once, whole, at the end. The
// CLI's respond and the GUI's Evaluate view share it, so a run stopped in one continues in either.

#include "core/util/jsonl_journal.h"

#include <nlohmann/json.hpp>

#include <string>

namespace sft {

// What identifies the answers: a journal made for other work is never continued.
struct ResponsesWork {
    std::string modelDir;     // the resolved model folder (or single weights file)
    std::string tokenizerDir; // "" for the model folder's own
    std::string datasetSha256;
    std::string split;
    std::string templateName;
    std::string key;
    int maxNewTokens = 256;
    int batchSize = 8;
};

std::string responsesJournalPath(const std::string& out);

// The journal for `work` beside `out`: a stopped run's answers are kept when it was the same
// work; otherwise ConfigError names what differs, unless `restart` discards them.
JsonlJournal openResponsesJournal(const std::string& out, const ResponsesWork& work, bool restart);

// Writes the responses file whole (atomically) and then removes its journal.
void finishResponses(const std::string& out, const nlohmann::json& answers);

} // namespace sft
