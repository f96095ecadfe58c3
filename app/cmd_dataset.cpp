// sft-studio dataset: what the Data view shows, headless — entries, split sizes, invalid
// entries with reasons, token lengths against the max length; the chapter-7 file fetched; and
// the book's near-duplicate search, listing pairs or writing the entries that stay.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/dataset_document.h"
#include "core/data/length_histogram.h"
#include "core/data/near_duplicates.h"
#include "core/data/prompt_template.h"
#include "core/hub/chapter_dataset.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
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

enum class Duplicates { None, ListNear, ListExact, RemoveNear, RemoveExact };

double threshold(const Options& o)
{
    const double value = o.real("threshold", 0, 1);
    if (value <= 0)
        throw UsageError("--threshold must be above 0 (and at most 1): pairs more similar than it are listed");
    return value;
}

// Which duplicate search the flags ask for, refusing flags that only make sense with another.
Duplicates duplicateSearch(const Options& o)
{
    const std::pair<const char*, Duplicates> modes[] = {{"near-duplicates", Duplicates::ListNear},
                                                        {"exact-duplicates", Duplicates::ListExact},
                                                        {"remove-near-duplicates", Duplicates::RemoveNear},
                                                        {"remove-exact-duplicates", Duplicates::RemoveExact}};
    Duplicates mode = Duplicates::None;
    for (const auto& [flag, m] : modes) {
        if (!o.isSet(flag))
            continue;
        if (mode != Duplicates::None)
            throw UsageError("give one of --near-duplicates, --exact-duplicates, --remove-near-duplicates and "
                             "--remove-exact-duplicates");
        mode = m;
    }
    const bool removes = mode == Duplicates::RemoveNear || mode == Duplicates::RemoveExact;
    const bool near = mode == Duplicates::ListNear || mode == Duplicates::RemoveNear;
    if (mode == Duplicates::None)
        for (const char* flag : {"field", "threshold", "json", "out"})
            if (o.isSet(flag))
                throw UsageError(std::string("--") + flag + " goes with --near-duplicates, --exact-duplicates or their "
                                                            "--remove- forms");
    if (removes != o.isSet("out"))
        throw UsageError(removes ? "--remove-near-duplicates and --remove-exact-duplicates need --out FILE for the "
                                   "entries kept"
                                 : "--out goes with --remove-near-duplicates or --remove-exact-duplicates");
    if (!near && o.isSet("threshold"))
        throw UsageError("--threshold is for near duplicates; exact duplicates are the same text");
    try {
        duplicateSearchFields(o.text("field"));
    } catch (const ConfigError& e) {
        throw UsageError(std::string("--field: ") + e.what());
    }
    if (near)
        threshold(o);
    return mode;
}

// The book's report: a header per field, then each pair with its similarity and both texts;
// the entries' positions in the file added.
void printPairs(const std::vector<NearDuplicatePair>& pairs, const std::vector<Entry>& entries,
                const std::string& field)
{
    const std::string separator(50, '=');
    for (const std::string& name : duplicateSearchFields(field)) {
        std::printf("\n\n%s\nSearching '%s' for duplicates ...\n%s\n", separator.c_str(), name.c_str(), separator.c_str());
        bool any = false;
        for (const NearDuplicatePair& p : pairs) {
            if (p.field != name)
                continue;
            any = true;
            std::printf("Duplicate pair found with similarity %.2f (entries %zu and %zu):\n1. %s\n2. %s\n\n",
                        p.similarity, entries[p.i].index, entries[p.j].index, duplicateSearchText(entries[p.i], name).c_str(),
                        duplicateSearchText(entries[p.j], name).c_str());
        }
        if (!any)
            std::printf("No duplicates found\n");
    }
}

void printPairsJson(const std::vector<NearDuplicatePair>& pairs, const std::vector<Entry>& entries)
{
    nlohmann::json list = nlohmann::json::array();
    for (const NearDuplicatePair& p : pairs)
        list.push_back({{"field", p.field}, {"i", entries[p.i].index}, {"j", entries[p.j].index}, {"similarity", p.similarity}});
    std::printf("%s\n", list.dump().c_str());
}

std::string pairCounts(const std::vector<NearDuplicatePair>& pairs, const std::string& field)
{
    std::string counts;
    for (const std::string& name : duplicateSearchFields(field)) {
        const auto count = std::count_if(pairs.begin(), pairs.end(), [&](const NearDuplicatePair& p) { return p.field == name; });
        counts += (counts.empty() ? "" : ", ") + name + " " + std::to_string(count);
    }
    return counts;
}

// Lists the pairs, or removes the book's way and writes the rest to --out in the file's own form.
int searchDuplicates(const Options& o, Duplicates mode, const std::string& path)
{
    const std::string field = o.text("field");
    const bool near = mode == Duplicates::ListNear || mode == Duplicates::RemoveNear;
    const double limit = near ? threshold(o) : 1;
    // With --json stdout is the list alone; what a person reads goes to stderr.
    FILE* report = o.isSet("json") ? stderr : stdout;
    const auto show = [&](const std::vector<NearDuplicatePair>& pairs, const std::vector<Entry>& entries) {
        if (o.isSet("json"))
            printPairsJson(pairs, entries);
        else
            printPairs(pairs, entries, field);
        char above[32];
        std::snprintf(above, sizeof above, "%g", limit);
        std::fprintf(report, "%s: %s\n",
                     near ? ("near-duplicate pairs (similarity above " + std::string(above) + ")").c_str()
                          : "exact-duplicate pairs",
                     pairCounts(pairs, field).c_str());
    };
    Progress bar("pairs");
    if (mode == Duplicates::ListNear || mode == Duplicates::ListExact) {
        const Dataset dataset = loadDataset(path, BadEntries::Skip);
        if (!dataset.skipped.empty())
            std::fprintf(stderr, "%zu invalid entries left out of the search (see 'sft-studio dataset FILE')\n",
                         dataset.skipped.size());
        const std::vector<NearDuplicatePair> pairs =
            near ? findNearDuplicates(dataset.entries, field, limit, &interruptibleJob(), bar.callback())
                 : findExactDuplicates(dataset.entries, field);
        bar.finish();
        show(pairs, dataset.entries);
        return dataset.skipped.empty() ? 0 : 3;
    }
    Dataset dataset;
    DatasetDocument document = DatasetDocument::open(path, &dataset);
    if (!dataset.skipped.empty())
        std::fprintf(stderr, "%zu invalid entries left out of the search and kept in --out as they are\n",
                     dataset.skipped.size());
    const NearDuplicateRemoval removal =
        near ? removeNearDuplicates(dataset.entries, field, limit, &interruptibleJob(), bar.callback())
             : removeExactDuplicates(dataset.entries, field);
    bar.finish();
    show(removal.pairs, dataset.entries);
    std::vector<size_t> items;
    for (size_t position : removal.removed)
        items.push_back(dataset.entries[position].index);
    // From the last, so that each index still names the same item.
    std::sort(items.rbegin(), items.rend());
    for (size_t item : items)
        document.remove(item);
    const std::string out = o.text("out");
    document.saveAs(out);
    std::fprintf(report,
                 "removed %zu of %zu entries (the second of each input or output pair; instruction pairs remove "
                 "none, as in the book), wrote the %zu left to %s\n",
                 items.size(), dataset.entries.size(), document.size(), out.c_str());
    return dataset.skipped.empty() ? 0 : 3;
}

} // namespace

int cmdDataset(const QStringList& args)
{
    Options o("dataset", "Checks an instruction dataset and describes it as the Data view does: entries, split, "
                         "invalid entries with reasons, token lengths. --fetch-chapter downloads the chapter-7 dataset "
                         "into the cache and describes it. --near-duplicates lists the pairs of entries whose field is "
                         "more similar than --threshold, as the book's find-near-duplicates.py does (TF-IDF over "
                         "character 1- to 3-grams, cosine similarity); --remove-near-duplicates drops the second entry "
                         "of each input or output pair and writes the rest to --out. Exit code 3 when some entries "
                         "are invalid.");
    o.add("fetch-chapter", "Download the chapter-7 dataset (once; cached) and describe it.");
    o.add("template", "Prompt template: alpaca, phi3 or a template file.", "NAME", "alpaca");
    o.add("max-length", "Count the entries longer than this many tokens.", "N", "1024");
    o.add("tokenizer", "Tokenizer folder (default: the --model folder's, else a downloaded GPT-2's).", "DIR");
    o.add("model", "Use this model's tokenizer.", "DIR");
    o.add("near-duplicates", "List the pairs of entries whose --field is more similar than --threshold.");
    o.add("exact-duplicates", "List the entries whose --field repeats an earlier entry's, whitespace aside.");
    o.add("remove-near-duplicates", "Write to --out the entries left once the second entry of each input or output "
                                    "pair is removed (fields in turn with all: instruction, input, output).");
    o.add("remove-exact-duplicates", "The same for exact duplicates.");
    o.add("field", "The field compared: instruction, input, output or all (each in turn).", "NAME", "all");
    o.add("threshold", "Near duplicates: pairs more similar than this (above 0, at most 1).", "X", "0.9");
    o.add("json", "Print the pairs as one JSON list of {field, i, j, similarity}: i < j are the entries' positions in "
                  "the file counting from 0, by field (instruction, input, output), then i, then j.");
    o.add("out", "Where --remove-near-duplicates or --remove-exact-duplicates writes the entries kept, in the file's "
                 "own form.", "FILE");
    o.addPositional("FILE", "The dataset (JSON list or JSON Lines), unless --fetch-chapter is given.");
    if (!o.parse(args))
        return 0;
    const QStringList files = o.positional();
    if (files.size() != (o.isSet("fetch-chapter") ? 0 : 1))
        throw UsageError("give one dataset FILE, or --fetch-chapter");
    const Duplicates duplicates = duplicateSearch(o);
    const std::string path = o.isSet("fetch-chapter") ? fetch() : files.front().toStdString();
    if (duplicates != Duplicates::None)
        return searchDuplicates(o, duplicates, path);
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
