#include "core/data/dataset_import.h"

#include "core/data/csv_reader.h"
#include "core/data/dataset.h"
#include "core/data/json_items.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <utility>

namespace sft {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// How many places a note lists before it says "...".
constexpr size_t kPlacesListed = 5;

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

std::string trimmed(std::string_view text)
{
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {};
    return std::string(text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1));
}

bool isBlank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// "1 conversation", "3 conversations".
std::string counted(size_t n, const std::string& noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

std::string quotedList(const std::vector<std::string>& names)
{
    std::string list;
    for (const std::string& name : names)
        list += (list.empty() ? "'" : ", '") + name + "'";
    return list;
}

std::string placesList(const std::vector<ItemPlace>& places)
{
    std::string list;
    for (size_t i = 0; i < places.size() && i < kPlacesListed; ++i)
        list += (i ? ", " : "") + places[i].describe();
    return places.size() > kPlacesListed ? list + ", ..." : list;
}

ordered_json alpacaItem(std::string instruction, std::string input, std::string output)
{
    ordered_json item = ordered_json::object();
    item["instruction"] = std::move(instruction);
    item["input"] = std::move(input);
    item["output"] = std::move(output);
    return item;
}

// The file's items; a JSON Lines line that is not JSON refuses the import: a converted file should
// hold every conversation.
std::vector<JsonItem> readItems(std::string_view text, const std::string& name)
{
    std::vector<JsonItem> items = readJsonItems(text, name);
    if (items.empty())
        throw DatasetError(name + ": the file holds no entries");
    for (const JsonItem& item : items)
        if (!item.problem.empty())
            throw DatasetError(name + ": " + item.place.describe() + ": " + item.problem);
    return items;
}

ImportFormat formatOfItems(const std::vector<JsonItem>& items, const std::string& name)
{
    const JsonItem& first = items.front();
    if (!first.value.is_object())
        throw DatasetError(name + ": " + first.place.describe() + ": is a JSON " + first.value.type_name() +
                           ", not an object; cannot tell the format");
    if (first.value.contains("conversations"))
        return ImportFormat::ShareGpt;
    if (first.value.contains("messages"))
        return ImportFormat::Messages;
    if (first.value.contains("instruction"))
        return ImportFormat::Alpaca;
    std::vector<std::string> keys;
    for (const auto& [key, value] : first.value.items())
        keys.push_back(key);
    throw DatasetError(name + ": cannot tell the format from the keys of " + first.place.describe() + " (" +
                       (keys.empty() ? std::string("none") : quotedList(keys)) +
                       "): expected 'conversations' (ShareGPT), 'messages' (OpenAI chat) or 'instruction' (Alpaca)");
}

std::optional<ImportFormat> formatOfFileName(const std::string& path)
{
    const std::string extension = lower(std::filesystem::path(path).extension().string());
    if (extension == ".csv")
        return ImportFormat::Csv;
    if (extension == ".tsv")
        return ImportFormat::Tsv;
    return std::nullopt;
}

enum class Role { System, User, Assistant };

struct Turn {
    Role role;
    std::string text;
};

// How one chat format spells a conversation.
struct ChatSchema {
    const char* listKey; // the entry's list of turns
    const char* roleKey;
    const char* textKey;
    std::vector<std::pair<std::string, Role>> roles;
    bool textParts; // the text may be a list of {"type": "text", "text": ...} parts
};

const ChatSchema& shareGptSchema()
{
    static const ChatSchema schema{"conversations", "from", "value",
                                   {{"system", Role::System}, {"human", Role::User}, {"gpt", Role::Assistant},
                                    {"user", Role::User}, {"assistant", Role::Assistant}},
                                   false};
    return schema;
}

const ChatSchema& messagesSchema()
{
    // "developer" is what OpenAI's newer models call the system message.
    static const ChatSchema schema{"messages", "role", "content",
                                   {{"system", Role::System}, {"developer", Role::System},
                                    {"user", Role::User}, {"assistant", Role::Assistant}},
                                   true};
    return schema;
}

// Throws the DatasetError of one conversation: "FILE: entry 3: field 'conversations' turn 2: ...".
class TurnReader {
public:
    TurnReader(const std::string& name, const ItemPlace& place, const ChatSchema& schema)
        : name_(name), place_(place), schema_(schema)
    {
    }

    std::vector<Turn> read(const json& item) const
    {
        if (!item.is_object())
            fail(std::string("is a JSON ") + item.type_name() + ", not an object with '" + schema_.listKey + "'");
        const auto list = item.find(schema_.listKey);
        if (list == item.end())
            failField("is missing");
        if (!list->is_array())
            failField(std::string("must be a list of turns, not ") + list->type_name());
        std::vector<Turn> turns;
        for (size_t i = 0; i < list->size(); ++i)
            turns.push_back(turn((*list)[i], i));
        return turns;
    }

private:
    Turn turn(const json& value, size_t index) const
    {
        if (!value.is_object())
            failTurn(index, std::string("must be an object with '") + schema_.roleKey + "' and '" + schema_.textKey +
                                "', not " + value.type_name());
        return {role(value, index), text(value, index)};
    }

    Role role(const json& value, size_t index) const
    {
        const auto it = value.find(schema_.roleKey);
        if (it == value.end())
            failTurn(index, std::string("'") + schema_.roleKey + "' is missing");
        std::string accepted;
        for (const auto& [name, meaning] : schema_.roles) {
            if (it->is_string() && it->get<std::string>() == name)
                return meaning;
            accepted += (accepted.empty() ? "" : ", ") + name;
        }
        failTurn(index, std::string("'") + schema_.roleKey + "' must be one of " + accepted + ", not " +
                            (it->is_string() ? "'" + it->get<std::string>() + "'" : it->dump()));
    }

    std::string text(const json& value, size_t index) const
    {
        const auto it = value.find(schema_.textKey);
        const std::string key = std::string("'") + schema_.textKey + "'";
        if (it == value.end())
            failTurn(index, key + " is missing");
        if (it->is_string())
            return it->get<std::string>();
        if (!schema_.textParts || !it->is_array())
            failTurn(index, key + " must be text" + (schema_.textParts ? " or a list of text parts" : "") + ", not " +
                                it->type_name());
        return joinedParts(*it, index, key);
    }

    // The text parts of a message on lines of their own, so that two parts never run into one word.
    std::string joinedParts(const json& parts, size_t index, const std::string& key) const
    {
        std::string text;
        for (size_t p = 0; p < parts.size(); ++p) {
            const json& part = parts[p];
            const std::string where = key + " part " + std::to_string(p) + " ";
            if (!part.is_object())
                failTurn(index, where + "must be an object {\"type\": \"text\", \"text\": ...}, not " + part.type_name());
            const auto type = part.find("type");
            if (type == part.end() || !type->is_string() || type->get<std::string>() != "text")
                failTurn(index, where + "has type " + (type == part.end() ? std::string("none") : type->dump()) +
                                    "; only text parts can be imported");
            const auto partText = part.find("text");
            if (partText == part.end() || !partText->is_string())
                failTurn(index, where + "needs a text field 'text'");
            text += (p ? "\n" : "") + partText->get<std::string>();
        }
        return text;
    }

    [[noreturn]] void fail(const std::string& reason) const
    {
        throw DatasetError(name_ + ": " + place_.describe() + ": " + reason);
    }
    [[noreturn]] void failField(const std::string& reason) const
    {
        fail(std::string("field '") + schema_.listKey + "' " + reason);
    }
    [[noreturn]] void failTurn(size_t index, const std::string& reason) const
    {
        failField("turn " + std::to_string(index) + ": " + reason);
    }

    const std::string& name_;
    const ItemPlace& place_;
    const ChatSchema& schema_;
};

struct Pair {
    std::string system; // the latest system message before the question
    std::string user;
    std::string assistant;
};

// A user turn answered by the very next turn makes a pair; a question left unanswered or an
// assistant turn that answers nothing (a greeting) belongs to none.
std::vector<Pair> pairsOf(const std::vector<Turn>& turns)
{
    std::vector<Pair> pairs;
    std::string system;
    const Turn* question = nullptr;
    for (const Turn& turn : turns) {
        if (turn.role == Role::System)
            system = turn.text;
        else if (turn.role == Role::User)
            question = &turn;
        else if (question)
            pairs.push_back({system, question->text, turn.text});
        if (turn.role != Role::User)
            question = nullptr;
    }
    return pairs;
}

ordered_json entryOf(const Pair& pair, SystemMessage system)
{
    const bool prefix = system == SystemMessage::Prefix && !isBlank(pair.system);
    return alpacaItem(prefix ? pair.system + "\n\n" + pair.user : pair.user, "", pair.assistant);
}

void importConversations(const std::vector<JsonItem>& items, const ChatSchema& schema, const ImportOptions& options,
                         const std::string& name, ImportResult& result)
{
    std::vector<ItemPlace> unanswered;
    size_t withSystem = 0;
    for (const JsonItem& item : items) {
        const std::vector<Turn> turns = TurnReader(name, item.place, schema).read(item.value);
        ++result.conversations;
        withSystem += std::any_of(turns.begin(), turns.end(),
                                  [](const Turn& t) { return t.role == Role::System && !isBlank(t.text); });
        std::vector<Pair> pairs = pairsOf(turns);
        if (pairs.empty()) {
            ++result.skipped;
            unanswered.push_back(item.place);
            continue;
        }
        if (pairs.size() > 1) {
            ++result.longConversations;
            if (options.longConversations == LongConversations::Skip) {
                ++result.skipped;
                continue;
            }
            if (options.longConversations == LongConversations::FirstPair)
                pairs.resize(1);
        }
        for (const Pair& pair : pairs)
            result.items.push_back(entryOf(pair, options.system));
    }

    if (result.longConversations) {
        const char* done = options.longConversations == LongConversations::FirstPair ? "kept the first pair of each"
                           : options.longConversations == LongConversations::EachPair
                               ? "each pair became an entry of its own"
                               : "skipped them";
        result.notes.push_back(std::to_string(result.longConversations) + " of " +
                               counted(result.conversations, "conversation") +
                               (result.longConversations == 1 ? " has" : " have") +
                               " more than one user/assistant pair: " + done);
    }
    if (!unanswered.empty())
        result.notes.push_back(counted(unanswered.size(), "conversation") +
                               (unanswered.size() == 1 ? " has" : " have") +
                               " no user turn answered by the assistant: skipped (" + placesList(unanswered) + ")");
    if (withSystem)
        result.notes.push_back(counted(withSystem, "conversation") + (withSystem == 1 ? " has" : " have") +
                               " a system message: " +
                               (options.system == SystemMessage::Prefix ? "it prefixes the instruction" : "dropped"));
    if (result.items.empty()) {
        std::string why;
        for (const std::string& note : result.notes)
            why += (why.empty() ? "" : "; ") + note;
        throw DatasetError(name + ": nothing to import: no conversation gave an entry (" + why + ")");
    }
}

void importAlpaca(const std::string& bytes, const std::string& name, ImportResult& result)
{
    const Dataset dataset = parseDataset(bytes, name, BadEntries::Refuse);
    for (const Entry& entry : dataset.entries)
        result.items.push_back(alpacaItem(entry.instruction, entry.input, entry.output));
    if (!dataset.warnings.empty())
        result.notes.push_back(counted(dataset.warnings.size(), "warning") + ", the first: " +
                               dataset.warnings.front().describe());
}

CsvRecord readHeader(CsvReader& reader, const std::string& name)
{
    std::optional<CsvRecord> header = reader.next();
    if (!header)
        throw DatasetError(name + ": the file is empty; a table needs a header row naming its columns");
    if (std::all_of(header->fields.begin(), header->fields.end(), [](const std::string& f) { return isBlank(f); }))
        throw DatasetError(name + ": line " + std::to_string(header->line) +
                           ": the header row is empty; the first row must name the columns");
    return *header;
}

// The column a mapped name means: the header's own spelling matched case-insensitively.
size_t columnIndex(const CsvRecord& header, const std::string& column, const std::string& name)
{
    std::vector<size_t> found;
    for (size_t i = 0; i < header.fields.size(); ++i)
        if (lower(trimmed(header.fields[i])) == lower(trimmed(column)))
            found.push_back(i);
    const std::string where = name + ": line " + std::to_string(header.line) + ": ";
    if (found.empty())
        throw DatasetError(where + "the header has no column '" + column + "'; its columns are " +
                           quotedList(header.fields));
    if (found.size() > 1)
        throw DatasetError(where + "column '" + column + "' appears twice in the header (columns " +
                           std::to_string(found[0] + 1) + " and " + std::to_string(found[1] + 1) + ")");
    return found.front();
}

void requireRole(const std::string& column, const char* role, const char* usualNames, bool guessed,
                 const CsvRecord& header, const std::string& name)
{
    if (!column.empty())
        return;
    if (!guessed)
        throw ConfigError(name + ": the column mapping names no " + role + " column");
    throw DatasetError(name + ": line " + std::to_string(header.line) + ": no column for the " + role +
                       ": none of " + quotedList(header.fields) + " is called " + usualNames +
                       "; choose which column holds it");
}

void importTable(const std::string& bytes, char separator, const ImportOptions& options, const std::string& name,
                 ImportResult& result)
{
    CsvReader reader(bytes, separator, name);
    const CsvRecord header = readHeader(reader, name);
    const bool guessed = !options.columns;
    const ColumnMapping mapping = guessed ? guessColumnMapping(header.fields) : *options.columns;
    requireRole(mapping.instruction, "instruction", "instruction, prompt, question or query", guessed, header, name);
    requireRole(mapping.output, "output", "output, response, answer or completion", guessed, header, name);
    const size_t instruction = columnIndex(header, mapping.instruction, name);
    const size_t output = columnIndex(header, mapping.output, name);
    const std::optional<size_t> input =
        mapping.input.empty() ? std::nullopt : std::optional(columnIndex(header, mapping.input, name));

    while (std::optional<CsvRecord> row = reader.next()) {
        if (row->fields.size() != header.fields.size())
            throw DatasetError(name + ": line " + std::to_string(row->line) + ": " +
                               counted(row->fields.size(), "field") + ", but the header has " +
                               counted(header.fields.size(), "column") + " (a field holding a " +
                               separatorName(separator) + " or a line break must be in double quotes)");
        result.items.push_back(alpacaItem(row->fields[instruction], input ? row->fields[*input] : std::string(),
                                          row->fields[output]));
    }
    if (result.items.empty())
        throw DatasetError(name + ": the table has a header row but no rows of data");

    result.columns = ColumnMapping{header.fields[instruction], input ? header.fields[*input] : std::string(),
                                   header.fields[output]};
    result.notes.push_back("columns: instruction from '" + result.columns->instruction + "', " +
                           (input ? "input from '" + result.columns->input + "', " : std::string()) + "output from '" +
                           result.columns->output + "'" + (input ? "" : "; no input column, inputs left empty"));
    std::vector<std::string> unused;
    for (size_t i = 0; i < header.fields.size(); ++i)
        if (i != instruction && i != output && i != input && !isBlank(header.fields[i]))
            unused.push_back(header.fields[i]);
    if (!unused.empty())
        result.notes.push_back("columns not imported: " + quotedList(unused));
}

} // namespace

ImportResult importDataset(const std::string& path, const ImportOptions& options)
{
    const std::string bytes = readFile(path);
    requireUtf8(bytes, path);
    ImportResult result;
    result.format = options.format == ImportFormat::Auto ? formatOfFileName(path).value_or(ImportFormat::Auto)
                                                         : options.format;
    if (result.format == ImportFormat::Csv || result.format == ImportFormat::Tsv) {
        importTable(bytes, separatorOf(result.format), options, path, result);
        return result;
    }
    if (result.format == ImportFormat::Alpaca) {
        importAlpaca(bytes, path, result);
        return result;
    }
    const std::vector<JsonItem> items = readItems(bytes, path);
    if (result.format == ImportFormat::Auto)
        result.format = formatOfItems(items, path);
    if (result.format == ImportFormat::Alpaca)
        importAlpaca(bytes, path, result);
    else
        importConversations(items, result.format == ImportFormat::ShareGpt ? shareGptSchema() : messagesSchema(),
                            options, path, result);
    return result;
}

ImportFormat detectImportFormat(const std::string& path)
{
    if (const auto format = formatOfFileName(path))
        return *format;
    const std::string bytes = readFile(path);
    requireUtf8(bytes, path);
    return formatOfItems(readItems(bytes, path), path);
}

std::vector<std::string> csvHeader(const std::string& path, char separator)
{
    const std::string bytes = readFile(path);
    requireUtf8(bytes, path);
    CsvReader reader(bytes, separator, path);
    return readHeader(reader, path).fields;
}

char separatorOf(ImportFormat tableFormat) { return tableFormat == ImportFormat::Tsv ? '\t' : ','; }

ColumnMapping guessColumnMapping(const std::vector<std::string>& header)
{
    const auto find = [&header](std::initializer_list<const char*> names) {
        for (const char* name : names)
            for (const std::string& column : header)
                if (lower(trimmed(column)) == name)
                    return column;
        return std::string();
    };
    return {find({"instruction", "prompt", "question", "query"}), find({"input", "context"}),
            find({"output", "response", "answer", "completion"})};
}

std::string_view importFormatName(ImportFormat format)
{
    switch (format) {
    case ImportFormat::Auto:
        return "automatic";
    case ImportFormat::Alpaca:
        return "Alpaca";
    case ImportFormat::ShareGpt:
        return "ShareGPT";
    case ImportFormat::Messages:
        return "OpenAI messages";
    case ImportFormat::Csv:
        return "CSV";
    case ImportFormat::Tsv:
        return "TSV";
    }
    return "unknown";
}

} // namespace sft
