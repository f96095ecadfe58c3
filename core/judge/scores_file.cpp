#include "core/judge/scores_file.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <QDateTime>

#include <cmath>

namespace sft {

namespace {

const char* const kFormat = "sft-studio scores";

std::string now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString(); }

// Whole scores stay integers, as in the chapter's lists.
nlohmann::json number(double v)
{
    if (v == std::floor(v) && std::abs(v) < 1e15)
        return int64_t(v);
    return v;
}

nlohmann::json optionalNumber(const std::optional<double>& v) { return v ? number(*v) : nlohmann::json(nullptr); }

} // namespace

std::string scoreStatusName(ScoreStatus status)
{
    switch (status) {
    case ScoreStatus::Scored: return "scored";
    case ScoreStatus::Unparseable: return "unparseable";
    case ScoreStatus::Failed: return "failed";
    case ScoreStatus::Pending: return "pending";
    }
    return "pending";
}

ScoreStatus scoreStatusByName(const std::string& name)
{
    for (ScoreStatus s : {ScoreStatus::Scored, ScoreStatus::Unparseable, ScoreStatus::Failed, ScoreStatus::Pending})
        if (scoreStatusName(s) == name)
            return s;
    throw FormatError("unknown score status '" + name + "'");
}

nlohmann::json EntryScore::toJson() const
{
    nlohmann::json sampleList = nlohmann::json::array();
    for (const auto& s : samples)
        sampleList.push_back(s ? nlohmann::json(*s) : nlohmann::json(nullptr));
    nlohmann::json j = {{"index", index},          {"status", scoreStatusName(status)}, {"score", optionalNumber(score)},
                        {"samples", sampleList},   {"replies", replies},                {"attempts", attempts}};
    if (!reason.empty())
        j["reason"] = reason;
    if (!problem.empty())
        j["problem"] = problem;
    return j;
}

EntryScore EntryScore::fromJson(const nlohmann::json& j)
{
    try {
        EntryScore e;
        e.index = j.at("index").get<size_t>();
        e.status = scoreStatusByName(j.at("status").get<std::string>());
        if (!j.at("score").is_null())
            e.score = j["score"].get<double>();
        for (const nlohmann::json& s : j.at("samples"))
            e.samples.push_back(s.is_null() ? std::nullopt : std::optional<int>(s.get<int>()));
        e.replies = j.at("replies").get<std::vector<std::string>>();
        e.attempts = j.at("attempts").get<int>();
        e.reason = j.value("reason", "");
        e.problem = j.value("problem", "");
        return e;
    } catch (const nlohmann::json::exception& ex) {
        throw FormatError("a scored entry is malformed (" + std::string(ex.what()) + "): " + j.dump().substr(0, 120));
    }
}

nlohmann::json ScoreSetup::toJson() const
{
    nlohmann::json opts = options.toJson();
    opts["structured_output"] = structured;
    opts["samples"] = samples;
    return {{"responses", {{"path", responsesPath}, {"sha256", responsesSha256}, {"key", responseKey}, {"entries", entries}}},
            {"judge", {{"api", api}, {"url", url}, {"model", model}, {"digest", digest}, {"server_version", serverVersion}}},
            {"prompt", {{"name", promptName}, {"sha256", sha256Hex(promptText)}, {"text", promptText}}},
            {"options", opts}};
}

nlohmann::json ScoreSetup::identity() const
{
    const nlohmann::json full = toJson();
    return {{"responses_sha256", responsesSha256},
            {"response_key", responseKey},
            {"api", api},
            {"model", model},
            {"digest", digest},
            {"prompt_sha256", sha256Hex(promptText)},
            {"options", full.at("options")}};
}

std::string journalPathFor(const std::string& outPath) { return outPath + ".journal.jsonl"; }

ScoresFile::ScoresFile(std::string outPath, ScoreSetup setup, bool restart)
    : outPath_(std::move(outPath)), setup_(std::move(setup)),
      journal_(JsonlJournal::resume(journalPathFor(outPath_), setup_.identity(),
                                    {{"journal", kFormat}, {"version", 1}, {"setup", setup_.toJson()}, {"started", now()}},
                                    restart))
{
    for (const nlohmann::json& item : journal_.items()) {
        EntryScore e = EntryScore::fromJson(item);
        if (e.index >= setup_.entries)
            throw FormatError(journal_.path() + " has entry " + std::to_string(e.index) + " but the responses have " +
                              std::to_string(setup_.entries) + " entries; delete it to start over");
        judged_[e.index] = std::move(e); // a later line is a later attempt at the same entry
    }
}

std::vector<EntryScore> ScoresFile::entries() const
{
    std::vector<EntryScore> all(setup_.entries);
    for (size_t i = 0; i < all.size(); ++i) {
        const auto it = judged_.find(i);
        if (it != judged_.end())
            all[i] = it->second;
        else
            all[i].index = i;
    }
    return all;
}

bool ScoresFile::isScored(size_t index) const
{
    const auto it = judged_.find(index);
    return it != judged_.end() && it->second.status == ScoreStatus::Scored;
}

void ScoresFile::record(const EntryScore& entry)
{
    journal_.append(entry.toJson());
    judged_[entry.index] = entry;
}

void ScoresFile::writeResult(const nlohmann::json& summary) const
{
    nlohmann::json scores = nlohmann::json::array();
    nlohmann::json entryList = nlohmann::json::array();
    for (const EntryScore& e : entries()) {
        scores.push_back(optionalNumber(e.score));
        entryList.push_back(e.toJson());
    }
    const nlohmann::json result = {{"format", kFormat},
                                   {"version", 1},
                                   {"setup", setup_.toJson()},
                                   {"started", journal_.header().value("started", "")},
                                   {"finished", now()},
                                   {"summary", summary},
                                   {"scores", scores},
                                   {"entries", entryList}};
    writeFileAtomic(outPath_, result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

ScoreList loadScoreList(const std::string& path)
{
    const nlohmann::json doc = nlohmann::json::parse(readFile(path), nullptr, false);
    const nlohmann::json* list = &doc;
    if (doc.is_object() && doc.value("format", "") == kFormat && doc.contains("scores"))
        list = &doc["scores"];
    if (!list->is_array())
        throw FormatError(path + " is neither a JSON list of scores (like the chapter's score files) nor an "
                                 "sft-studio scores file");
    ScoreList result{path, {}};
    for (size_t i = 0; i < list->size(); ++i) {
        const nlohmann::json& v = (*list)[i];
        if (!v.is_null() && !v.is_number())
            throw FormatError(path + ": element " + std::to_string(i) + " is " + v.dump().substr(0, 40) +
                              ", not a score (a number, or null for none)");
        result.scores.push_back(v.is_null() ? std::nullopt : std::optional<double>(v.get<double>()));
    }
    return result;
}

} // namespace sft

namespace sft {

namespace {

ScoreSetup setupFromJson(const nlohmann::json& j)
{
    ScoreSetup s;
    const nlohmann::json& responses = j.at("responses");
    s.responsesPath = responses.at("path").get<std::string>();
    s.responsesSha256 = responses.value("sha256", "");
    s.responseKey = responses.at("key").get<std::string>();
    s.entries = responses.at("entries").get<size_t>();
    const nlohmann::json& judge = j.at("judge");
    s.api = judge.value("api", "");
    s.url = judge.value("url", "");
    s.model = judge.at("model").get<std::string>();
    s.digest = judge.value("digest", "");
    s.serverVersion = judge.value("server_version", "");
    s.promptName = j.at("prompt").at("name").get<std::string>();
    s.promptText = j.at("prompt").value("text", "");
    const nlohmann::json& options = j.at("options");
    s.options.seed = options.value("seed", s.options.seed);
    s.options.temperature = options.value("temperature", s.options.temperature);
    s.options.numCtx = options.value("num_ctx", s.options.numCtx);
    s.options.numPredict = options.value("num_predict", s.options.numPredict);
    s.structured = options.value("structured_output", true);
    s.samples = options.value("samples", 1);
    return s;
}

} // namespace

StoredScores loadStoredScores(const std::string& path)
{
    const nlohmann::json doc = nlohmann::json::parse(readFile(path), nullptr, false);
    if (!doc.is_object() || doc.value("format", "") != kFormat)
        throw FormatError(path + " is not an sft-studio scores file");
    StoredScores stored;
    try {
        stored.setup = setupFromJson(doc.at("setup"));
        for (const nlohmann::json& item : doc.at("entries"))
            stored.entries.push_back(EntryScore::fromJson(item));
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(path + ": the scores file is malformed (" + std::string(e.what()) + ")");
    }
    return stored;
}

} // namespace sft
