#include "core/data/dataset.h"

#include "core/tokenizer/utf8.h"
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

// 1-based line and column of a byte offset; the column counts characters, as editors do.
struct Location {
    size_t line = 1;
    size_t column = 1;
};

Location locate(std::string_view text, size_t offset)
{
    Location at;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n')
            at = {at.line + 1, 1};
        else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80)
            ++at.column;
    }
    return at;
}

std::optional<size_t> firstInvalidUtf8(std::string_view text)
{
    for (size_t i = 0; i < text.size();) {
        const utf8::CodePoint cp = utf8::decodeAt(text, i);
        if (!cp.valid)
            return i;
        i += cp.length;
    }
    return std::nullopt;
}

bool isBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// nlohmann's message without its "[json.exception...] parse error at line x, column y: " prefix,
// since we report the position ourselves.
std::string parseReason(const json::parse_error& e)
{
    const std::string what = e.what();
    const size_t column = what.find("column ");
    const size_t colon = what.find(": ", column == std::string::npos ? 0 : column);
    return colon == std::string::npos ? what : what.substr(colon + 2);
}

// A number beyond a double's range (1e999) is nlohmann's out_of_range, not a parse_error, and
// carries no position: the message without its "[json.exception.out_of_range.406] " prefix.
std::string overflowError(const json::out_of_range& e)
{
    const std::string what = e.what();
    const size_t end = what.find("] ");
    return "not valid JSON: " + (end == std::string::npos ? what : what.substr(end + 2));
}

// Where a JSON text (the whole file, or one JSONL line) fails to parse; nlohmann's `byte`
// counts the bytes read, so the offending byte is the one before it.
std::string syntaxError(std::string_view text, const json::parse_error& e, bool withLine)
{
    const Location at = locate(text, e.byte > 0 ? e.byte - 1 : 0);
    return std::string("not valid JSON at ") +
           (withLine ? "line " + std::to_string(at.line) + ", " : "") + "column " +
           std::to_string(at.column) + ": " + parseReason(e);
}

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
            reject(std::move(*problem), where, isLine);
            return;
        }
        for (EntryProblem& w : warningsOf(entry)) {
            w.index = where;
            w.isLine = isLine;
            warnings_.push_back(std::move(w));
        }
        entries_.push_back(std::move(entry));
    }

    // A JSON Lines line that is not JSON: an entry that cannot be read.
    void addUnreadable(EntryProblem problem, size_t line)
    {
        ++ordinal_;
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

std::string notAListMessage(const std::string& name, const json& top)
{
    return name + ": the top level is a JSON " + top.type_name() +
           ", not a list of entries; expected a JSON array of objects or JSON Lines (one object "
           "per line)";
}

void readJsonArray(std::string_view text, const std::string& name, Collector& collector)
{
    json top;
    try {
        top = json::parse(text);
    } catch (const json::parse_error& e) {
        throw DatasetError(name + ": " + syntaxError(text, e, true));
    } catch (const json::out_of_range& e) {
        throw DatasetError(name + ": " + overflowError(e));
    }
    if (!top.is_array())
        throw DatasetError(notAListMessage(name, top));
    for (size_t i = 0; i < top.size(); ++i)
        collector.add(top[i], i, false);
}

// A file that starts with '{' but whose first line is not a whole object is one JSON value
// spread over several lines, not JSON Lines: say so rather than report a line-1 syntax error.
void refuseSingleObject(std::string_view text, const std::string& name)
{
    const json top = json::parse(text, nullptr, false);
    if (!top.is_discarded())
        throw DatasetError(notAListMessage(name, top));
}

void readJsonLines(std::string_view text, const std::string& name, Collector& collector)
{
    bool first = true;
    size_t lineNumber = 0;
    for (size_t start = 0; start < text.size(); ++lineNumber) {
        const size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (isBlank(line))
            continue;
        const bool isFirst = std::exchange(first, false);
        json item;
        try {
            item = json::parse(line);
        } catch (const json::parse_error& e) {
            if (isFirst)
                refuseSingleObject(text, name);
            collector.addUnreadable({0, true, "", syntaxError(line, e, false)}, lineNumber + 1);
            continue;
        } catch (const json::out_of_range& e) {
            collector.addUnreadable({0, true, "", overflowError(e)}, lineNumber + 1);
            continue;
        }
        collector.add(item, lineNumber + 1, true);
    }
}

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
    std::string_view text(head, size_t(file.gcount()));
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        text.remove_prefix(3);
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
    if (const auto bad = firstInvalidUtf8(bytes))
        throw DatasetError(nameForErrors + ": invalid UTF-8 at byte offset " + std::to_string(*bad) +
                           " (line " + std::to_string(locate(bytes, *bad).line) +
                           "); save the file as UTF-8");
    std::string_view text = bytes;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") // a byte-order mark, as some Windows editors write
        text.remove_prefix(3);
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        throw DatasetError(nameForErrors + ": the file is empty");

    Collector collector(nameForErrors, policy, fields);
    if (text[first] == '{')
        readJsonLines(text, nameForErrors, collector);
    else
        readJsonArray(text, nameForErrors, collector);
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
