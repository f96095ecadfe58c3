#include "core/net/ndjson_stream.h"

#include "core/util/error.h"

namespace sft {

namespace {

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

} // namespace

std::vector<nlohmann::json> NdjsonStream::feed(std::string_view bytes)
{
    buffer_.append(bytes);
    std::vector<nlohmann::json> objects;
    size_t start = 0;
    for (size_t newline; (newline = buffer_.find('\n', start)) != std::string::npos; start = newline + 1) {
        const std::string line = buffer_.substr(start, newline - start);
        ++lineNumber_;
        if (!blank(line))
            objects.push_back(parseLine(line));
    }
    buffer_.erase(0, start);
    return objects;
}

std::vector<nlohmann::json> NdjsonStream::finish()
{
    std::string rest;
    rest.swap(buffer_);
    if (blank(rest))
        return {};
    ++lineNumber_;
    return {parseLine(rest)};
}

nlohmann::json NdjsonStream::parseLine(const std::string& line)
{
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    if (!object.is_object()) {
        const std::string shown = line.size() > 80 ? line.substr(0, 80) + "..." : line;
        throw FormatError("line " + std::to_string(lineNumber_) + " of the server's stream is not a JSON object: " +
                          shown);
    }
    return object;
}

} // namespace sft
