#pragma once
// A scoring run on disk. OUT.journal.jsonl receives every entry the moment it is judged, so a
// kill (of the app or of the server) loses nothing that was finished, and a rerun with the same
// setup picks up where the last one stopped. OUT itself is the whole result: the setup, the
// summary, the chapter-style list of scores, and every entry with its status and the judge's
// raw reply; it is rewritten atomically, so it is never seen half-written.

#include "core/judge/agreement.h"
#include "core/judge/judge_client.h"
#include "core/util/jsonl_journal.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sft {

// scored: the judge's score was read. unparseable: the judge answered, but no reply could be
// read as a score 0..100. failed: no answer (server errors, broken streams) after every
// attempt. pending: not judged yet (the run was stopped before it).
enum class ScoreStatus { Scored, Unparseable, Failed, Pending };

std::string scoreStatusName(ScoreStatus status);
ScoreStatus scoreStatusByName(const std::string& name); // FormatError for other names

struct EntryScore {
    size_t index = 0;
    ScoreStatus status = ScoreStatus::Pending;
    std::optional<double> score;             // the mean of the samples (an integer for one)
    std::vector<std::optional<int>> samples; // one per judgement of this entry
    std::vector<std::string> replies;        // the judge's last reply for each sample, as given
    int attempts = 0;                        // requests made for this entry, retries included
    std::string reason;                      // the judge's own reason, when it gave one
    std::string problem;                     // why it is not scored, or a warning

    nlohmann::json toJson() const;
    static EntryScore fromJson(const nlohmann::json& j); // FormatError when malformed
};

// Everything a score depends on, recorded with the scores.
struct ScoreSetup {
    std::string responsesPath;
    std::string responsesSha256;
    std::string responseKey;
    size_t entries = 0;
    std::string api;
    std::string url;
    std::string model;
    std::string digest;        // empty when the server has none (OpenAI-compatible)
    std::string serverVersion; // empty when the server has none
    std::string promptName;
    std::string promptText;
    SamplingOptions options;
    bool structured = true; // a JSON schema was sent
    int samples = 1;

    nlohmann::json toJson() const;
    // The part that must match for stored scores to be reused: not the URL or the server
    // version (the same model moved or upgraded in place keeps its digest).
    nlohmann::json identity() const;
};

class ScoresFile {
public:
    // Opens OUT's journal. Entries in it are reused when it was made with the same setup;
    // otherwise a ConfigError names what differs, unless `restart` discards them.
    ScoresFile(std::string outPath, ScoreSetup setup, bool restart);

    const std::string& outPath() const { return outPath_; }
    std::string journalPath() const { return journal_.path(); }
    const ScoreSetup& setup() const { return setup_; }
    // Every entry in file order; those not judged yet are pending.
    std::vector<EntryScore> entries() const;
    bool isScored(size_t index) const;

    void record(const EntryScore& entry);
    // Writes OUT with this summary.
    void writeResult(const nlohmann::json& summary) const;

private:
    std::string outPath_;
    ScoreSetup setup_;
    JsonlJournal journal_;
    std::map<size_t, EntryScore> judged_;
};

std::string journalPathFor(const std::string& outPath);

// A finished or stopped scoring run as OUT holds it, for showing it again.
struct StoredScores {
    ScoreSetup setup;
    std::vector<EntryScore> entries; // in file order
};

// FormatError when `path` is not an sft-studio scores file (a bare list of numbers has no
// setup or statuses: loadScoreList reads those).
StoredScores loadStoredScores(const std::string& path);

// The chapter's lists of numbers ([85, 40, ...], null for none) or an sft-studio scores file.
ScoreList loadScoreList(const std::string& path);

} // namespace sft
