#include "core/util/jsonl_journal.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <cstdio>

namespace sft {

namespace {

std::string differences(const nlohmann::json& stored, const nlohmann::json& current)
{
    std::string text;
    for (const auto& [key, value] : current.items()) {
        const nlohmann::json before = stored.contains(key) ? stored[key] : nlohmann::json(nullptr);
        if (before != value)
            text += (text.empty() ? "" : "; ") + key + " was " + before.dump() + ", now " + value.dump();
    }
    return text;
}

} // namespace

JsonlJournal::JsonlJournal(std::string path) : path_(std::move(path))
{
    if (fileExists(path_))
        read();
}

JsonlJournal JsonlJournal::resume(const std::string& path, const nlohmann::json& identity, nlohmann::json header,
                                  bool restart)
{
    if (restart)
        std::remove(path.c_str());
    JsonlJournal journal(path);
    if (!journal.started()) {
        header["identity"] = identity;
        journal.start(header);
        return journal;
    }
    const nlohmann::json stored = journal.header().value("identity", nlohmann::json::object());
    if (stored != identity)
        throw ConfigError(path + " holds results made with a different setup (" + differences(stored, identity) +
                          "); start over (--restart) to discard them, or write to another output file");
    return journal;
}

void JsonlJournal::read()
{
    std::string text = readFile(path_);
    const size_t lastNewline = text.rfind('\n');
    const size_t whole = lastNewline == std::string::npos ? 0 : lastNewline + 1;
    if (whole != text.size()) {
        text.resize(whole);
        writeFileAtomic(path_, text); // so the next append starts on a line of its own
    }
    size_t lineNumber = 0;
    for (size_t start = 0, end; start < text.size(); start = end + 1) {
        end = text.find('\n', start);
        ++lineNumber;
        nlohmann::json line = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
        if (!line.is_object())
            throw FormatError("line " + std::to_string(lineNumber) + " of " + path_ +
                              " is damaged (not a JSON object); delete the file to start over");
        if (lineNumber == 1)
            header_ = std::move(line);
        else
            items_.push_back(std::move(line));
    }
}

void JsonlJournal::start(const nlohmann::json& header)
{
    writeFileAtomic(path_, header.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    header_ = header;
    items_.clear();
}

void JsonlJournal::append(const nlohmann::json& item)
{
    appendLine(path_, item.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    items_.push_back(item);
}

} // namespace sft
