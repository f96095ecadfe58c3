#pragma once
// Ollama's streaming framing: one JSON object per line. Network reads split lines anywhere, so
// bytes are buffered until a newline completes a line.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sft {

class NdjsonStream {
public:
    // The objects completed by these bytes. Throws FormatError for a line that is not a JSON
    // object: the server is not speaking NDJSON, so nothing after it can be trusted.
    std::vector<nlohmann::json> feed(std::string_view bytes);
    // At the end of the body: a last line without its newline (a single non-streamed object is
    // sent that way), or nothing.
    std::vector<nlohmann::json> finish();

private:
    nlohmann::json parseLine(const std::string& line);
    std::string buffer_;
    int64_t lineNumber_ = 0;
};

} // namespace sft
