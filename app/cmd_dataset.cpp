// sft-studio dataset: what the Data view shows, headless — entries, split sizes, invalid
// entries with reasons, token lengths against the max length; and the chapter-7 file fetched.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/length_histogram.h"
#include "core/data/prompt_template.h"
#include "core/hub/chapter_dataset.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"

#include <cstdio>

namespace sft::cli {

namespace {

Tokenizer chosenTokenizer(const Options& o)
{
    if (o.isSet("model"))
        return loadTokenizer(resolveModel(o.text("model")), o.text("tokenizer"));
    return o.isSet("tokenizer") ? Tokenizer::fromDirectory(o.text("tokenizer")) : defaultTokenizer();
}

std::string fetch()
{
    Progress bar("bytes", Progress::Amounts::Bytes);
    const std::string path = fetchChapterDataset(
        [&bar](const DownloadProgress& p) { bar.update(p.bytes, p.total, "instruction-data.json"); },
        &interruptibleJob(), [&bar](const std::string& line) { bar.message(line); });
    bar.finish();
    return path;
}

void printLengths(const std::vector<int64_t>& lengths, int64_t maxLength)
{
    const LengthHistogram h = lengthHistogram(lengths, 20);
    std::printf("tokens per entry: %lld to %lld (prompt and response, before the end-of-text token)\n",
                (long long)h.shortest, (long long)h.longest);
    std::printf("longer than --max-length %lld: %lld\n", (long long)maxLength,
                (long long)countLongerThan(lengths, maxLength));
    for (size_t i = 0; i < h.counts.size(); ++i) {
        const int64_t from = h.firstBinStart + int64_t(i) * h.binWidth;
        std::printf("  %5lld-%-5lld %5lld\n", (long long)from, (long long)(from + h.binWidth - 1), (long long)h.counts[i]);
    }
}

} // namespace

int cmdDataset(const QStringList& args)
{
    Options o("dataset", "Checks an instruction dataset and describes it as the Data view does: entries, split, "
                         "invalid entries with reasons, token lengths. --fetch-chapter downloads the chapter-7 dataset "
                         "into the cache and describes it. Exit code 3 when some entries are invalid.");
    o.add("fetch-chapter", "Download the chapter-7 dataset (once; cached) and describe it.");
    o.add("template", "Prompt template: alpaca, phi3 or a template file.", "NAME", "alpaca");
    o.add("max-length", "Count the entries longer than this many tokens.", "N", "1024");
    o.add("tokenizer", "Tokenizer folder (default: the --model folder's, else a downloaded GPT-2's).", "DIR");
    o.add("model", "Use this model's tokenizer.", "DIR");
    o.addPositional("FILE", "The dataset (JSON list or JSON Lines), unless --fetch-chapter is given.");
    if (!o.parse(args))
        return 0;
    const QStringList files = o.positional();
    if (files.size() != (o.isSet("fetch-chapter") ? 0 : 1))
        throw UsageError("give one dataset FILE, or --fetch-chapter");
    const std::string path = o.isSet("fetch-chapter") ? fetch() : files.front().toStdString();
    const int64_t maxLength = o.integer("max-length", 1, 1 << 20);
    const Dataset dataset = loadDataset(path, BadEntries::Skip);
    const Split split = splitDataset(dataset.entries);
    std::printf("file: %s\nsha256: %s\nentries: %zu valid, %zu invalid, %zu warnings\nsplit: %zu train, %zu "
                "validation, %zu test\n",
                path.c_str(), dataset.sha256.c_str(), dataset.entries.size(), dataset.skipped.size(),
                dataset.warnings.size(), split.train.size(), split.val.size(), split.test.size());
    for (const EntryProblem& p : dataset.skipped)
        std::printf("invalid: %s\n", p.describe().c_str());
    for (const EntryProblem& p : dataset.warnings)
        std::printf("warning: %s\n", p.describe().c_str());
    std::vector<int64_t> lengths;
    for (const Example& e : tokenizeEntries(dataset.entries, PromptTemplate::byName(o.text("template")), chosenTokenizer(o)))
        lengths.push_back(int64_t(e.ids.size()));
    printLengths(lengths, maxLength);
    return dataset.skipped.empty() ? 0 : 3;
}

} // namespace sft::cli
