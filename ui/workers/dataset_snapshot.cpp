#include "ui/workers/dataset_snapshot.h"

#include "core/data/prompt_template.h"
#include "core/hub/model_cache.h"
#include "core/io/model_format.h"

#include <algorithm>
#include <unordered_set>

namespace sft::ui {

namespace {

std::vector<EntryRow> tableRows(const Dataset& dataset, size_t trainCount, size_t testCount)
{
    const std::vector<Entry>& entries = dataset.entries;
    std::unordered_set<size_t> warned;
    for (const EntryProblem& warning : dataset.warnings)
        warned.insert(warning.entry);
    std::vector<EntryRow> rows(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        const Entry& entry = entries[i];
        EntryRow& row = rows[i];
        row.index = qint64(entry.index);
        // splitDataset keeps the file's order: train first, then test, then validation.
        row.split = i < trainCount ? SplitName::Train : i < trainCount + testCount ? SplitName::Test : SplitName::Val;
        row.instruction = QString::fromStdString(entry.instruction);
        row.input = QString::fromStdString(entry.input);
        row.output = QString::fromStdString(entry.output);
        row.warned = warned.count(entry.index) > 0;
    }
    return rows;
}

// The model's own tokenizer, else the default one; `source` says which, for the user.
Tokenizer tokenizerFor(const QString& modelPath, std::string& source)
{
    if (!modelPath.isEmpty()) {
        source = modelFolderOf(modelPath.toStdString());
        if (Tokenizer::directoryHasTokenizer(source))
            return Tokenizer::fromDirectory(source);
    }
    return defaultTokenizer({}, &source);
}

// Entries per step between cancel checks: small enough to stop within a blink.
constexpr size_t kTokenizeChunk = 500;

std::shared_ptr<DatasetContent> contentOf(DatasetDocument document, Dataset dataset)
{
    auto content = std::make_shared<DatasetContent>();
    content->path = QString::fromStdString(document.path());
    content->dataset = std::move(dataset);
    content->document = std::make_shared<const DatasetDocument>(std::move(document));
    const Split split = splitDataset(content->dataset.entries);
    content->trainCount = split.train.size();
    content->testCount = split.test.size();
    content->valCount = split.val.size();
    content->rows = std::make_shared<const std::vector<EntryRow>>(
        tableRows(content->dataset, content->trainCount, content->testCount));
    content->search = std::make_shared<const EntrySearch>(content->dataset.entries);
    return content;
}

} // namespace

std::shared_ptr<const DatasetContent> loadDatasetContent(const QString& path)
{
    Dataset dataset;
    DatasetDocument document = DatasetDocument::open(path.toStdString(), &dataset);
    auto content = contentOf(std::move(document), std::move(dataset));
    content->autosave = findAutosave(path.toStdString());
    return content;
}

std::shared_ptr<const DatasetContent> documentContent(DatasetDocument document)
{
    Dataset dataset = document.dataset(BadEntries::Skip);
    return contentOf(std::move(document), std::move(dataset));
}

std::shared_ptr<const TokenizedContent> tokenizeDatasetContent(const DatasetContent& content,
                                                               const QString& templateName,
                                                               const QString& modelPath, const JobControl& job,
                                                               const ProgressFn& progress)
{
    auto tokens = std::make_shared<TokenizedContent>();
    tokens->path = content.path;
    tokens->templateName = templateName;
    tokens->modelPath = modelPath;
    std::string source;
    tokens->tokenizer = tokenizerFor(modelPath, source);
    tokens->tokenizerSource = QString::fromStdString(source);
    const PromptTemplate format = PromptTemplate::byName(templateName.toStdString());
    const std::vector<Entry>& entries = content.dataset.entries;
    tokens->examples.reserve(entries.size());
    for (size_t begin = 0; begin < entries.size(); begin += kTokenizeChunk) {
        job.checkpoint();
        const size_t end = std::min(entries.size(), begin + kTokenizeChunk);
        const std::vector<Entry> chunk(entries.begin() + std::ptrdiff_t(begin), entries.begin() + std::ptrdiff_t(end));
        for (Example& example : tokenizeEntries(chunk, format, tokens->tokenizer))
            tokens->examples.push_back(std::move(example));
        progress(int64_t(end), int64_t(entries.size()), "tokenizing");
    }
    tokens->lengths.reserve(tokens->examples.size());
    for (const Example& example : tokens->examples)
        tokens->lengths.push_back(int64_t(example.ids.size()));
    tokens->histogram = lengthHistogram(tokens->lengths);
    return tokens;
}

} // namespace sft::ui
