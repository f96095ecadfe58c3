#include "core/data/json_items.h"

#include "core/tokenizer/utf8.h"
#include "core/util/error.h"

#include <algorithm>
#include <utility>

namespace sft {

using nlohmann::json;

namespace {

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

std::string notAListMessage(const std::string& name, const json& top)
{
    return name + ": the top level is a JSON " + top.type_name() +
           ", not a list of entries; expected a JSON array of objects or JSON Lines (one object "
           "per line)";
}

std::vector<JsonItem> readArray(std::string_view text, const std::string& name)
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
    std::vector<JsonItem> items;
    items.reserve(top.size());
    for (size_t i = 0; i < top.size(); ++i)
        items.push_back({std::move(top[i]), {i, false}, {}});
    return items;
}

// A file that starts with '{' but whose first line is not a whole object is one JSON value
// spread over several lines, not JSON Lines: say so rather than report a line-1 syntax error.
void refuseSingleObject(std::string_view text, const std::string& name)
{
    const json top = json::parse(text, nullptr, false);
    if (!top.is_discarded())
        throw DatasetError(notAListMessage(name, top));
}

std::vector<JsonItem> readLines(std::string_view text, const std::string& name)
{
    std::vector<JsonItem> items;
    size_t lineNumber = 0;
    for (size_t start = 0; start < text.size(); ++lineNumber) {
        const size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (isBlank(line))
            continue;
        JsonItem item{{}, {lineNumber + 1, true}, {}};
        try {
            item.value = json::parse(line);
        } catch (const json::parse_error& e) {
            if (items.empty())
                refuseSingleObject(text, name);
            item.value = json::value_t::discarded;
            item.problem = syntaxError(line, e, false);
        } catch (const json::out_of_range& e) {
            item.value = json::value_t::discarded;
            item.problem = overflowError(e);
        }
        items.push_back(std::move(item));
    }
    return items;
}

} // namespace

std::string ItemPlace::describe() const { return (isLine ? "line " : "entry ") + std::to_string(index); }

void requireUtf8(std::string_view bytes, const std::string& name)
{
    for (size_t i = 0; i < bytes.size();) {
        const utf8::CodePoint cp = utf8::decodeAt(bytes, i);
        if (!cp.valid)
            throw DatasetError(name + ": invalid UTF-8 at byte offset " + std::to_string(i) + " (line " +
                               std::to_string(locate(bytes, i).line) + "); save the file as UTF-8");
        i += cp.length;
    }
}

std::string_view withoutByteOrderMark(std::string_view text)
{
    // A byte-order mark, as some Windows editors write.
    return text.substr(0, 3) == "\xEF\xBB\xBF" ? text.substr(3) : text;
}

std::vector<JsonItem> readJsonItems(std::string_view text, const std::string& name)
{
    text = withoutByteOrderMark(text);
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        throw DatasetError(name + ": the file is empty");
    return text[first] == '{' ? readLines(text, name) : readArray(text, name);
}

} // namespace sft
