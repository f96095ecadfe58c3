#pragma once
// Server-sent events, the streaming framing of OpenAI-compatible servers: "data: ..." lines,
// an event ends at a blank line, ":" lines are comments. Network reads split events anywhere.

#include <string>
#include <string_view>
#include <vector>

namespace sft {

class SseStream {
public:
    // The data of each event these bytes complete (several data lines join with "\n").
    std::vector<std::string> feed(std::string_view bytes);

private:
    void takeLine(std::string line, std::vector<std::string>& events);
    std::string buffer_;
    std::string data_;
    bool hasData_ = false;
};

} // namespace sft
