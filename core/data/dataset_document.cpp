#include "core/data/dataset_document.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace sft {

using nlohmann::ordered_json;

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

size_t skipSpace(std::string_view text, size_t at)
{
    while (at < text.size() && isSpace(text[at]))
        ++at;
    return at;
}

// Where the JSON value starting at `at` ends. The file parsed already, so only strings (which may
// hold brackets) and nesting need following.
size_t valueEnd(std::string_view text, size_t at)
{
    int depth = 0;
    bool inString = false;
    for (size_t i = at; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
            if (!inString && depth == 0)
                return i + 1;
            continue;
        }
        if (c == '"')
            inString = true;
        else if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        } else if (depth == 0 && (c == ',' || isSpace(c)))
            return i;
    }
    return text.size();
}

// The whitespace an item's first line starts with: what follows the last line break before it.
std::string indentationBefore(std::string_view before)
{
    const size_t lineStart = before.find_last_of('\n');
    const std::string_view line = lineStart == std::string_view::npos ? before : before.substr(lineStart + 1);
    const size_t blanks = line.find_first_not_of(" \t");
    return std::string(line.substr(0, blanks == std::string_view::npos ? line.size() : blanks));
}

class ItemWriter {
public:
    ItemWriter(const FileForm& form, std::string base) : form_(form), base_(std::move(base)) {}

    std::string write(const ordered_json& value)
    {
        value_(value, 0);
        return std::move(out_);
    }

private:
    void value_(const ordered_json& value, int level)
    {
        if (value.is_object())
            container(value, level, '{', '}', true);
        else if (value.is_array())
            container(value, level, '[', ']', false);
        else
            out_ += value.dump(-1, ' ', form_.asciiOnly, ordered_json::error_handler_t::strict);
    }

    void container(const ordered_json& value, int level, char open, char close, bool isObject)
    {
        out_ += open;
        if (value.empty()) {
            out_ += close;
            return;
        }
        const bool multiline = !form_.indent.empty() && !form_.jsonLines;
        bool first = true;
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (!std::exchange(first, false))
                out_ += multiline || !form_.spacedSeparators ? "," : ", ";
            if (multiline)
                newline(level + 1);
            if (isObject) {
                out_ += ordered_json(it.key()).dump(-1, ' ', form_.asciiOnly, ordered_json::error_handler_t::strict);
                out_ += multiline || form_.spacedSeparators ? ": " : ":";
            }
            value_(*it, level + 1);
        }
        if (multiline)
            newline(level);
        out_ += close;
    }

    void newline(int level)
    {
        out_ += form_.crlf ? "\r\n" : "\n";
        out_ += base_;
        for (int i = 0; i < level; ++i)
            out_ += form_.indent;
    }

    const FileForm& form_;
    std::string base_;
    std::string out_;
};

bool hasNonAsciiByte(std::string_view text)
{
    return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

// A \u escape of a character beyond ASCII (not a control character's): the writer escaped on purpose.
bool hasNonAsciiEscape(std::string_view text)
{
    for (size_t at = text.find("\\u"); at != std::string_view::npos; at = text.find("\\u", at + 2)) {
        if (at > 0 && text[at - 1] == '\\')
            continue;
        const std::string_view hex = text.substr(at + 2, 4);
        if (hex.size() == 4 && hex.substr(0, 2) != "00")
            return true;
        if (hex.size() == 4 && hex[2] >= '8')
            return true;
    }
    return false;
}

// One line of an item as a one-line writer prints it: "k": v or "k":v.
bool spacedKeySeparator(std::string_view raw)
{
    const size_t colon = raw.find("\":");
    return colon == std::string_view::npos || (colon + 2 < raw.size() && raw[colon + 2] == ' ');
}

std::string indentOf(std::string_view raw)
{
    const size_t lineBreak = raw.find('\n');
    if (lineBreak == std::string_view::npos)
        return {};
    const std::string_view next = raw.substr(lineBreak + 1);
    return std::string(next.substr(0, std::min(next.find_first_not_of(" \t"), next.size())));
}

// The form that writes the first item as it is in the file; the rest from the whole text.
FileForm readForm(std::string_view text, const std::vector<DocumentItem>& items, const std::string& head,
                  const std::string& tail, bool jsonLines)
{
    FileForm form;
    form.jsonLines = jsonLines;
    form.byteOrderMark = text.substr(0, 3) == "\xEF\xBB\xBF";
    form.crlf = text.find("\r\n") != std::string_view::npos;
    form.finalNewline = !tail.empty() && tail.back() == '\n';
    form.asciiOnly = !hasNonAsciiByte(text) && hasNonAsciiEscape(text);
    if (items.empty() || !items.front().raw)
        return form;
    const std::string_view raw = *items.front().raw;
    const std::string base = jsonLines ? std::string() : indentationBefore(head);
    std::string inner = indentOf(raw);
    form.indent = jsonLines || inner.size() <= base.size() ? std::string() : inner.substr(base.size());
    form.spacedSeparators = spacedKeySeparator(raw);
    if (!hasNonAsciiByte(text) && !hasNonAsciiEscape(text))
        form.asciiOnly = form.spacedSeparators; // unknown: Python's json writes escapes by default, others not
    return form;
}

std::string defaultSeparator(const FileForm& form)
{
    const std::string newline = form.crlf ? "\r\n" : "\n";
    if (form.jsonLines)
        return newline;
    if (form.indent.empty())
        return form.spacedSeparators ? ", " : ",";
    return "," + newline + form.indent;
}

struct Layout {
    std::string head, tail;
    std::vector<DocumentItem> items;
};

Layout scanArray(std::string_view text)
{
    Layout layout;
    size_t at = skipSpace(text, text.find('[') + 1);
    layout.head = std::string(text.substr(0, at));
    std::string before;
    while (at < text.size() && text[at] != ']') {
        const size_t end = valueEnd(text, at);
        DocumentItem item;
        item.raw = std::string(text.substr(at, end - at));
        item.value = ordered_json::parse(*item.raw);
        item.origin = layout.items.size();
        if (!layout.items.empty())
            item.before = before;
        layout.items.push_back(std::move(item));
        size_t next = skipSpace(text, end);
        if (next < text.size() && text[next] == ',')
            next = skipSpace(text, next + 1);
        before = std::string(text.substr(end, next - end));
        at = next;
        if (at < text.size() && text[at] == ']') {
            layout.tail = std::string(text.substr(end));
            return layout;
        }
    }
    layout.head = std::string(text.substr(0, text.find('[') + 1));
    layout.tail = std::string(text.substr(text.find('[') + 1));
    return layout;
}

Layout scanLines(std::string_view text)
{
    Layout layout;
    size_t lineStart = 0;
    size_t lastEnd = 0;
    while (lineStart < text.size()) {
        const size_t lineEnd = std::min(text.find('\n', lineStart), text.size());
        std::string_view line = text.substr(lineStart, lineEnd - lineStart);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        const size_t first = line.find_first_not_of(" \t");
        if (first != std::string_view::npos) {
            const size_t start = lineStart + (lineStart == 0 && text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
            DocumentItem item;
            item.raw = std::string(text.substr(start, lineStart + line.size() - start));
            item.value = ordered_json::parse(*item.raw, nullptr, false);
            item.origin = layout.items.size();
            if (layout.items.empty())
                layout.head = std::string(text.substr(0, start));
            else
                item.before = std::string(text.substr(lastEnd, start - lastEnd));
            lastEnd = lineStart + line.size();
            layout.items.push_back(std::move(item));
        }
        lineStart = lineEnd + 1;
    }
    layout.tail = std::string(text.substr(std::min(lastEnd, text.size())));
    return layout;
}

} // namespace

DatasetDocument DatasetDocument::open(const std::string& path, Dataset* entries)
{
    return parse(readFile(path), path, entries);
}

DatasetDocument DatasetDocument::parse(const std::string& bytes, const std::string& path, Dataset* entries)
{
    Dataset read = parseDataset(bytes, path, BadEntries::Skip); // refuses what is no dataset, with its message
    if (entries)
        *entries = std::move(read);
    DatasetDocument document;
    document.path_ = path;
    std::string_view text = bytes;
    const size_t first = skipSpace(text, text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0);
    const bool jsonLines = text[first] == '{';
    Layout layout = jsonLines ? scanLines(text) : scanArray(text);
    document.form_ = readForm(text, layout.items, layout.head, layout.tail, jsonLines);
    document.items_ = std::move(layout.items);
    document.head_ = std::move(layout.head);
    document.tail_ = std::move(layout.tail);
    document.separator_ = document.items_.size() > 1 && document.items_[1].before ? *document.items_[1].before
                                                                                  : defaultSeparator(document.form_);
    document.unchanged_ = bytes;
    document.savedSha256_ = sha256Hex(bytes);
    return document;
}

DatasetDocument DatasetDocument::fromItems(std::vector<ordered_json> items, FileForm form)
{
    DatasetDocument document;
    document.form_ = form;
    const std::string newline = form.crlf ? "\r\n" : "\n";
    document.head_ = std::string(form.byteOrderMark ? "\xEF\xBB\xBF" : "") +
                     (form.jsonLines ? "" : form.indent.empty() ? "[" : "[" + newline + form.indent);
    document.tail_ = std::string(form.jsonLines ? "" : form.indent.empty() ? "]" : newline + "]") +
                     (form.finalNewline || form.jsonLines ? newline : "");
    document.separator_ = defaultSeparator(form);
    for (ordered_json& value : items)
        document.items_.push_back({std::move(value), std::nullopt, std::nullopt, std::nullopt});
    return document;
}

void DatasetDocument::setText(size_t index, const std::string& field, const std::string& text)
{
    DocumentItem& item = items_.at(index);
    if (!item.value.is_object())
        throw DatasetError(path_ + ": entry " + std::to_string(index) + " is not an object and cannot be edited");
    item.value[field] = text;
    item.raw.reset();
    unchanged_.reset();
}

void DatasetDocument::replace(size_t index, ordered_json value)
{
    DocumentItem& item = items_.at(index);
    item.value = std::move(value);
    item.raw.reset();
    unchanged_.reset();
}

void DatasetDocument::insert(size_t at, ordered_json value)
{
    insertItem(at, DocumentItem{std::move(value), std::nullopt, std::nullopt, std::nullopt});
}

void DatasetDocument::remove(size_t index)
{
    items_.erase(items_.begin() + std::ptrdiff_t(index));
    unchanged_.reset();
}

void DatasetDocument::move(size_t from, size_t to)
{
    DocumentItem item = std::move(items_.at(from));
    items_.erase(items_.begin() + std::ptrdiff_t(from));
    items_.insert(items_.begin() + std::ptrdiff_t(std::min(to, items_.size())), std::move(item));
    unchanged_.reset();
}

void DatasetDocument::setItem(size_t index, DocumentItem item)
{
    items_.at(index) = std::move(item);
    unchanged_.reset();
}

void DatasetDocument::insertItem(size_t at, DocumentItem item)
{
    items_.insert(items_.begin() + std::ptrdiff_t(std::min(at, items_.size())), std::move(item));
    unchanged_.reset();
}

void DatasetDocument::setItems(std::vector<DocumentItem> items)
{
    items_ = std::move(items);
    unchanged_.reset();
}

std::string DatasetDocument::serialize() const
{
    if (unchanged_)
        return *unchanged_;
    if (items_.empty() && !form_.jsonLines)
        return (form_.byteOrderMark ? "\xEF\xBB\xBF" : "") + std::string("[]") +
               (form_.finalNewline ? (form_.crlf ? "\r\n" : "\n") : "");
    const std::string base = form_.jsonLines ? std::string() : indentationBefore(separator_);
    std::string out = head_;
    for (size_t i = 0; i < items_.size(); ++i) {
        const DocumentItem& item = items_[i];
        if (i > 0)
            out += item.before ? *item.before : separator_;
        out += item.raw ? *item.raw : ItemWriter(form_, base).write(item.value);
    }
    return out + tail_;
}

Dataset DatasetDocument::dataset(BadEntries policy, EntryFields fields) const
{
    return parseDataset(serialize(), path_, policy, fields);
}

void DatasetDocument::save() { saveAs(path_); }

void DatasetDocument::saveAs(const std::string& path)
{
    if (path.empty())
        throw DatasetError("the dataset has no file yet: choose where to save it");
    const std::string bytes = serialize();
    writeFileAtomic(path, bytes);
    *this = parse(bytes, path);
}

} // namespace sft
