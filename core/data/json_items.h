#pragma once
// The items of a dataset-like file (a JSON array, or JSON Lines), each with where it is, and the
// file's own problems said one way for every reader (instruction data, imports): invalid UTF-8,
// an empty file, a syntax error with its line and column, a top level that is no list.

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sft {

// An array element's index (0-based, as the Data view counts) or a JSON Lines line (1-based).
struct ItemPlace {
    size_t index = 0;
    bool isLine = false;
    std::string describe() const; // "entry 3", "line 12"
};

struct JsonItem {
    nlohmann::json value; // discarded when the line is not JSON
    ItemPlace place;
    std::string problem;  // why a JSON Lines line could not be read ("not valid JSON at column 4: ...")
};

// Throws DatasetError naming the byte offset and line of the first invalid UTF-8 sequence.
void requireUtf8(std::string_view bytes, const std::string& name);
std::string_view withoutByteOrderMark(std::string_view text);
// `text` without its byte-order mark. Throws DatasetError for an empty file, a JSON array that does
// not parse, a top level that is not a list, one object spread over several lines; a JSON Lines
// line that is not JSON is an item with its problem, for the caller to skip or refuse.
std::vector<JsonItem> readJsonItems(std::string_view text, const std::string& name);

} // namespace sft
