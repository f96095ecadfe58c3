#include "core/net/sse_stream.h"

namespace sft {

std::vector<std::string> SseStream::feed(std::string_view bytes)
{
    buffer_.append(bytes);
    std::vector<std::string> events;
    size_t start = 0;
    for (size_t newline; (newline = buffer_.find('\n', start)) != std::string::npos; start = newline + 1) {
        std::string line = buffer_.substr(start, newline - start);
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        takeLine(std::move(line), events);
    }
    buffer_.erase(0, start);
    return events;
}

void SseStream::takeLine(std::string line, std::vector<std::string>& events)
{
    if (line.empty()) {
        if (hasData_)
            events.push_back(data_);
        data_.clear();
        hasData_ = false;
        return;
    }
    if (line.rfind("data:", 0) != 0)
        return; // comments and the event/id/retry fields carry nothing a judge needs
    std::string value = line.substr(5);
    if (!value.empty() && value.front() == ' ')
        value.erase(0, 1);
    if (hasData_)
        data_ += '\n';
    data_ += value;
    hasData_ = true;
}

} // namespace sft
