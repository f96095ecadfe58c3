#pragma once
// What the Data view's loading job hands to the view: the file's entries ready for the table
// and the search, then their tokens under the chosen template. Built on the worker thread, read
// only afterwards, shared between the view and later jobs.

#include "core/data/batcher.h"
#include "core/data/dataset_autosave.h"
#include "core/data/dataset_document.h"
#include "core/data/dataset.h"
#include "core/data/entry_search.h"
#include "core/data/length_histogram.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/job_control.h"
#include "ui/models/dataset_table_model.h"

#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace sft::ui {

struct DatasetContent {
    QString path;
    std::shared_ptr<const DatasetDocument> document; // the file as edited: what the entries come from
    std::optional<AutosaveInfo> autosave;            // unsaved edits a crash left, when read from disk
    Dataset dataset; // valid entries, and those skipped with their reasons
    size_t trainCount = 0, testCount = 0, valCount = 0;
    std::shared_ptr<const std::vector<EntryRow>> rows;
    std::shared_ptr<const EntrySearch> search;
};

struct TokenizedContent {
    QString path;         // of the dataset these tokens belong to
    QString templateName;
    QString modelPath;    // whose tokenizer was asked for
    Tokenizer tokenizer;
    QString tokenizerSource; // the folder it came from, or the bundled copy, for the user
    std::vector<Example> examples; // one per entry, in order
    std::vector<int64_t> lengths;  // tokens per example
    LengthHistogram histogram;
};

// All run on the worker thread; errors are the core's exceptions.
std::shared_ptr<const DatasetContent> loadDatasetContent(const QString& path);
// The entries of a document being edited (not saved yet).
std::shared_ptr<const DatasetContent> documentContent(DatasetDocument document);
// The tokenizer is the model's own when its folder has one, else the GPT-2 tokenizer the CLI
// would take (SFT_TOKENIZER_DIR or a downloaded GPT-2); ConfigError says how to get one.
// Checks `job` between chunks of entries and reports entries done through `progress`.
std::shared_ptr<const TokenizedContent> tokenizeDatasetContent(const DatasetContent& content,
                                                               const QString& templateName,
                                                               const QString& modelPath, const JobControl& job,
                                                               const ProgressFn& progress);

} // namespace sft::ui
