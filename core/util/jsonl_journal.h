#pragma once
// An append-only JSON Lines record that survives being killed at any moment: the first line is
// a header, every later line one finished item, flushed as soon as it is written. A kill can only
// tear the last line; reopening cuts it off, so nothing that was complete is lost.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sft {

class JsonlJournal {
public:
    // Reads `path` when it exists. Throws FormatError for damage a kill cannot cause (a broken
    // line before the last, a header that is not an object).
    explicit JsonlJournal(std::string path);
    // The journal for the work `identity` describes: an existing one is reused when it was made
    // for the same work, else a ConfigError names what differs, unless `restart` discards it. A
    // new one starts with `header` and the identity.
    static JsonlJournal resume(const std::string& path, const nlohmann::json& identity, nlohmann::json header,
                               bool restart);

    const std::string& path() const { return path_; }
    bool started() const { return !header_.is_null(); }
    const nlohmann::json& header() const { return header_; }
    const std::vector<nlohmann::json>& items() const { return items_; }

    void start(const nlohmann::json& header); // replaces the file with just this header
    void append(const nlohmann::json& item);

private:
    void read();

    std::string path_;
    nlohmann::json header_;
    std::vector<nlohmann::json> items_;
};

} // namespace sft
