#include "core/data/dataset_autosave.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace sft {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr const char* kKind = "sft-studio dataset edits";

std::string localTimeNow()
{
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm local{};
    localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
    return text;
}

ordered_json readAutosaveFile(const std::string& path)
{
    const ordered_json saved = ordered_json::parse(readFile(path), nullptr, false);
    if (!saved.is_object() || saved.value("kind", "") != kKind || !saved.contains("items") ||
        !saved["items"].is_array() || !saved.contains("base_sha256"))
        throw DatasetError(path + ": not an autosave of dataset edits, or damaged");
    return saved;
}

size_t changedCount(const ordered_json& items)
{
    size_t changed = 0;
    for (const ordered_json& item : items)
        changed += item.is_object() ? 1 : 0;
    return changed;
}

} // namespace

std::string autosavePathFor(const std::string& datasetPath)
{
    const std::filesystem::path path(datasetPath);
    return (path.parent_path() / ("." + path.filename().string() + ".sft-autosave.json")).string();
}

void writeAutosave(const DatasetDocument& document)
{
    ordered_json items = ordered_json::array();
    for (const DocumentItem& item : document.items()) {
        if (item.raw && item.origin)
            items.push_back(*item.origin);
        else
            items.push_back({{"value", item.value}});
    }
    const ordered_json saved = {{"kind", kKind},
                                {"file", std::filesystem::path(document.path()).filename().string()},
                                {"base_sha256", document.savedSha256()},
                                {"saved_at", localTimeNow()},
                                {"items", std::move(items)}};
    writeFileAtomic(autosavePathFor(document.path()), saved.dump());
}

std::optional<AutosaveInfo> findAutosave(const std::string& datasetPath)
{
    const std::string path = autosavePathFor(datasetPath);
    if (!fileExists(path))
        return std::nullopt;
    AutosaveInfo info;
    info.path = path;
    try {
        const ordered_json saved = readAutosaveFile(path);
        info.savedAt = saved.value("saved_at", "");
        info.items = saved["items"].size();
        info.changed = changedCount(saved["items"]);
        info.matchesFile = fileExists(datasetPath) && saved["base_sha256"] == sha256OfFile(datasetPath);
    } catch (const Error&) {
        info.matchesFile = false;
    }
    return info;
}

DatasetDocument restoreAutosave(const std::string& datasetPath)
{
    const std::string path = autosavePathFor(datasetPath);
    const ordered_json saved = readAutosaveFile(path);
    DatasetDocument document = DatasetDocument::open(datasetPath);
    if (saved["base_sha256"] != document.savedSha256())
        throw DatasetError(datasetPath + " changed on disk after the edits in " + path +
                           " were made; they cannot be put back onto the new version");
    std::vector<DocumentItem> items;
    for (const ordered_json& item : saved["items"]) {
        if (item.is_number_unsigned() && item.get<size_t>() < document.size())
            items.push_back(document.item(item.get<size_t>()));
        else if (item.is_object() && item.contains("value"))
            items.push_back({item["value"], std::nullopt, std::nullopt, std::nullopt});
        else
            throw DatasetError(path + ": damaged (an item is neither a position in the file nor a value)");
    }
    document.setItems(std::move(items));
    return document;
}

void discardAutosave(const std::string& datasetPath)
{
    std::error_code ignored;
    std::filesystem::remove(autosavePathFor(datasetPath), ignored);
}

} // namespace sft
