#include "core/data/dataset.h"

#include "core/data/json_items.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <string_view>
#include <utility>

namespace sft {

using nlohmann::json;

namespace {

constexpr std::string_view kFieldHint =
    " (an entry needs the text fields 'instruction' and 'output'; 'input' is optional)";
constexpr std::string_view kPreferenceHint =
    " (a preference entry needs the text fields 'instruction', 'output', 'chosen' and 'rejected'; 'input' is "
    "optional)";

bool isBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::optional<EntryProblem> readText(const json& item, const char* field, bool required, std::string& out)
{
    const auto it = item.find(field);
    if (it == item.end() || (!required && it->is_null())) {
        if (required)
            return EntryProblem{0, false, field, "is missing"};
        return std::nullopt;
    }
    if (!it->is_string())
        return EntryProblem{0, false, field, std::string("must be text, not ") + it->type_name()};
    out = it->get<std::string>();
    return std::nullopt;
}

// Both answers of a preference pair, or neither; required for preference data.
std::optional<EntryProblem> readPreference(const json& item, EntryFields fields, Entry& entry)
{
    const bool required = fields == EntryFields::Preference;
    const bool hasChosen = item.contains("chosen") && !item["chosen"].is_null();
    const bool hasRejected = item.contains("rejected") && !item["rejected"].is_null();
    if (!required && !hasChosen && !hasRejected)
        return std::nullopt;
    if (auto problem = readText(item, "chosen", true, entry.chosen))
        return problem;
    if (auto problem = readText(item, "rejected", true, entry.rejected))
        return problem;
    entry.hasPreference = true;
    return std::nullopt;
}

// The rules for one entry, all in one place (docs/datasets.md describes them).
std::optional<EntryProblem> readEntry(const json& item, EntryFields fields, Entry& entry)
{
    if (!item.is_object())
        return EntryProblem{0, false, "", std::string("is a JSON ") + item.type_name() + ", not an object"};
    if (auto problem = readText(item, "instruction", true, entry.instruction))
        return problem;
    if (auto problem = readText(item, "input", false, entry.input))
        return problem;
    if (auto problem = readText(item, "output", true, entry.output))
        return problem;
    if (auto problem = readPreference(item, fields, entry))
        return problem;
    entry.source = item;
    return std::nullopt;
}

// What the chapter's code formats like any other entry but a person may want to fix.
std::vector<EntryProblem> warningsOf(const Entry& entry)
{
    std::vector<EntryProblem> warnings;
    if (isBlank(entry.instruction))
        warnings.push_back({0, false, "instruction", "is empty"});
    if (isBlank(entry.output))
        warnings.push_back({0, false, "output", "is empty"});
    if (entry.hasPreference && entry.chosen == entry.rejected)
        warnings.push_back({0, false, "rejected", "is the same as 'chosen': the pair teaches no preference"});
    else if (entry.hasPreference && (isBlank(entry.chosen) || isBlank(entry.rejected)))
        warnings.push_back({0, false, isBlank(entry.chosen) ? "chosen" : "rejected", "is empty"});
    return warnings;
}

// Collects entries and problems; with BadEntries::Refuse the first problem ends the load.
class Collector {
public:
    Collector(std::string name, BadEntries policy, EntryFields fields)
        : name_(std::move(name)), policy_(policy), fields_(fields)
    {
    }

    void add(const json& item, size_t where, bool isLine)
    {
        Entry entry;
        entry.index = ordinal_++;
        if (auto problem = readEntry(item, fields_, entry)) {
            problem->entry = entry.index;
            reject(std::move(*problem), where, isLine);
            return;
        }
        for (EntryProblem& w : warningsOf(entry)) {
            w.index = where;
            w.isLine = isLine;
            w.entry = entry.index;
            warnings_.push_back(std::move(w));
        }
        entries_.push_back(std::move(entry));
    }

    // A JSON Lines line that is not JSON: an entry that cannot be read.
    void addUnreadable(EntryProblem problem, size_t line)
    {
        problem.entry = ordinal_++;
        reject(std::move(problem), line, true);
    }

    void finishInto(Dataset& dataset)
    {
        if (entries_.empty() && skipped_.empty())
            throw DatasetError(name_ + ": the file holds no entries");
        if (entries_.empty())
            throw DatasetError(name_ + ": no usable entry; all " + std::to_string(skipped_.size()) +
                               " have problems, the first: " + skipped_.front().describe());
        dataset.preferences = std::all_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.hasPreference; });
        dataset.entries = std::move(entries_);
        dataset.skipped = std::move(skipped_);
        dataset.warnings = std::move(warnings_);
    }

private:
    void reject(EntryProblem problem, size_t where, bool isLine)
    {
        problem.index = where;
        problem.isLine = isLine;
        if (policy_ == BadEntries::Refuse)
            throw DatasetError(name_ + ": " + problem.describe() +
                               (problem.field.empty() ? ""
                                : fields_ == EntryFields::Preference ? std::string(kPreferenceHint)
                                                                     : std::string(kFieldHint)));
        skipped_.push_back(std::move(problem));
    }

    std::string name_;
    BadEntries policy_;
    EntryFields fields_;
    size_t ordinal_ = 0;
    std::vector<Entry> entries_;
    std::vector<EntryProblem> skipped_;
    std::vector<EntryProblem> warnings_;
};

} // namespace

std::string EntryProblem::describe() const
{
    const std::string where = (isLine ? "line " : "entry ") + std::to_string(index);
    return where + ": " + (field.empty() ? reason : "field '" + field + "' " + reason);
}

bool looksLikeDatasetFile(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    char head[4096] = {};
    file.read(head, sizeof head);
    const std::string_view text = withoutByteOrderMark(std::string_view(head, size_t(file.gcount())));
    const size_t first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && (text[first] == '[' || text[first] == '{');
}

Dataset loadDataset(const std::string& path, BadEntries policy, EntryFields fields)
{
    return parseDataset(readFile(path), path, policy, fields);
}

Dataset parseDataset(const std::string& bytes, const std::string& nameForErrors, BadEntries policy,
                     EntryFields fields)
{
    Dataset dataset;
    dataset.path = nameForErrors;
    dataset.sha256 = sha256Hex(bytes);
    requireUtf8(bytes, nameForErrors);
    Collector collector(nameForErrors, policy, fields);
    for (const JsonItem& item : readJsonItems(bytes, nameForErrors)) {
        if (item.problem.empty())
            collector.add(item.value, item.place.index, item.place.isLine);
        else
            collector.addUnreadable({0, true, "", item.problem}, item.place.index);
    }
    collector.finishInto(dataset);
    return dataset;
}

Split splitDataset(const std::vector<Entry>& entries)
{
    // Same double arithmetic as the chapter's int(len(data) * 0.85).
    const auto n = entries.size();
    const auto trainEnd = size_t(double(n) * 0.85);
    const auto testEnd = trainEnd + size_t(double(n) * 0.1);
    const auto at = [&](size_t i) { return entries.begin() + std::ptrdiff_t(i); };
    return {{at(0), at(trainEnd)}, {at(trainEnd), at(testEnd)}, {at(testEnd), entries.end()}};
}

std::vector<Entry> selectSplit(const std::vector<Entry>& entries, const std::string& name)
{
    if (name == "all")
        return entries;
    Split split = splitDataset(entries);
    if (name == "train")
        return std::move(split.train);
    if (name == "val")
        return std::move(split.val);
    if (name == "test")
        return std::move(split.test);
    throw ConfigError("unknown split '" + name + "': use train, val, test or all");
}

} // namespace sft
