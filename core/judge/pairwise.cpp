#include "core/judge/pairwise.h"

#include "core/util/jsonl_journal.h"
#include "core/judge/judge_prompt.h"
#include "core/generate/responses_file.h"
#include "core/judge/scores_file.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <QDateTime>

#include <map>

namespace sft {

namespace {

const char* const kFormat = "sft-studio pairwise";

std::string now() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString(); }

nlohmann::json verdictJson(const std::optional<Verdict>& v)
{
    if (!v)
        return nullptr;
    return *v == Verdict::First ? "1" : *v == Verdict::Second ? "2" : "tie";
}

std::optional<Verdict> verdictFromJson(const nlohmann::json& j)
{
    if (j.is_null())
        return std::nullopt;
    return readVerdict(j.get<std::string>()).verdict;
}

PairOutcome outcomeByName(const std::string& name)
{
    for (PairOutcome o : {PairOutcome::AWins, PairOutcome::BWins, PairOutcome::Tie, PairOutcome::Inconsistent,
                          PairOutcome::Undecided})
        if (pairOutcomeName(o) == name)
            return o;
    throw FormatError("unknown pairwise outcome '" + name + "'");
}

void requireSameEntries(const Responses& a, const Responses& b, const CompareSettings& s)
{
    if (a.answers.size() != b.answers.size())
        throw ConfigError(s.pathA + " has " + std::to_string(a.answers.size()) + " entries but " + s.pathB + " has " +
                          std::to_string(b.answers.size()) + "; pairwise judging needs answers to the same entries");
    for (size_t i = 0; i < a.answers.size(); ++i) {
        const Entry& x = a.dataset.entries[i];
        const Entry& y = b.dataset.entries[i];
        if (x.instruction != y.instruction || x.input != y.input || x.output != y.output)
            throw ConfigError("entry " + std::to_string(i) + " is a different task in " + s.pathA + " and in " + s.pathB +
                              "; both files must answer the same entries in the same order");
    }
}

nlohmann::json setupJson(const CompareSettings& s, const Responses& a, const Responses& b, const JudgeModel& judge,
                         JudgeClient& client)
{
    nlohmann::json options = s.options.toJson();
    options["structured_output"] = s.structured;
    return {{"a", {{"path", s.pathA}, {"sha256", a.dataset.sha256}, {"key", s.keyA}}},
            {"b", {{"path", s.pathB}, {"sha256", b.dataset.sha256}, {"key", s.keyB}}},
            {"judge", {{"api", judgeApiName(client.server().api)}, {"url", client.displayUrl()}, {"model", s.model},
                       {"digest", judge.digest}}},
            {"prompt_sha256", sha256Hex(pairwisePromptText())},
            {"options", options}};
}

nlohmann::json identityOf(const nlohmann::json& setup)
{
    return {{"a", setup["a"]["sha256"]},           {"key_a", setup["a"]["key"]},
            {"b", setup["b"]["sha256"]},           {"key_b", setup["b"]["key"]},
            {"model", setup["judge"]["model"]},    {"digest", setup["judge"]["digest"]},
            {"prompt_sha256", setup["prompt_sha256"]}, {"options", setup["options"]}};
}

PairJudgement judgePair(JudgeClient& client, const CompareSettings& s, const Entry& entry, const std::string& answerA,
                        const std::string& answerB, const JobControl* job, const NoteFn& note)
{
    PairJudgement pair;
    pair.index = entry.index;
    if (answerA == answerB) {
        pair.outcome = PairOutcome::Tie;
        pair.problem = "identical answers: a tie without asking the judge";
        return pair;
    }
    const ReplyCheck check = [](const std::string& reply) { return readVerdict(reply).problem; };
    for (const bool aFirst : {true, false}) {
        const std::string prompt = aFirst ? pairwisePrompt(entry, answerA, answerB) : pairwisePrompt(entry, answerB, answerA);
        const ChatRequest request{s.model, {{"user", prompt}}, s.options, s.structured ? verdictSchema() : nlohmann::json()};
        const JudgeAnswer answer = askJudge(client, request, check, verdictReminder(), s.retry, job, note);
        pair.attempts += answer.attempts;
        pair.replies.push_back(answer.reply);
        const auto verdict = answer.outcome == JudgeAnswer::Outcome::Read ? readVerdict(answer.reply).verdict : std::nullopt;
        (aFirst ? pair.aFirst : pair.bFirst) = verdict;
        if (!verdict) {
            pair.problem = answer.problem;
            break;
        }
    }
    pair.outcome = combineVerdicts(pair.aFirst, pair.bFirst);
    return pair;
}

void writeResult(const std::string& outPath, const JsonlJournal& journal, const CompareResult& result)
{
    nlohmann::json pairs = nlohmann::json::array();
    for (const PairJudgement& p : result.pairs)
        pairs.push_back(p.toJson());
    const nlohmann::json doc = {{"format", kFormat},
                                {"version", 1},
                                {"setup", journal.header().value("setup", nlohmann::json::object())},
                                {"started", journal.header().value("started", "")},
                                {"finished", now()},
                                {"summary", result.tally.toJson()},
                                {"pairs", pairs}};
    writeFileAtomic(outPath, doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

} // namespace

std::string pairOutcomeName(PairOutcome outcome)
{
    switch (outcome) {
    case PairOutcome::AWins: return "a";
    case PairOutcome::BWins: return "b";
    case PairOutcome::Tie: return "tie";
    case PairOutcome::Inconsistent: return "inconsistent";
    case PairOutcome::Undecided: return "undecided";
    }
    return "undecided";
}

PairOutcome combineVerdicts(std::optional<Verdict> aFirst, std::optional<Verdict> bFirst)
{
    if (!aFirst || !bFirst)
        return PairOutcome::Undecided;
    // Position 1 holds A in the first order and B in the second.
    const auto winner = [](Verdict v, PairOutcome first, PairOutcome second) {
        return v == Verdict::First ? first : v == Verdict::Second ? second : PairOutcome::Tie;
    };
    const PairOutcome one = winner(*aFirst, PairOutcome::AWins, PairOutcome::BWins);
    const PairOutcome two = winner(*bFirst, PairOutcome::BWins, PairOutcome::AWins);
    return one == two ? one : PairOutcome::Inconsistent;
}

void PairTally::add(PairOutcome outcome)
{
    switch (outcome) {
    case PairOutcome::AWins: ++aWins; break;
    case PairOutcome::BWins: ++bWins; break;
    case PairOutcome::Tie: ++ties; break;
    case PairOutcome::Inconsistent: ++inconsistent; break;
    case PairOutcome::Undecided: ++undecided; break;
    }
}

nlohmann::json PairTally::toJson() const
{
    return {{"a_wins", aWins}, {"b_wins", bWins}, {"ties", ties}, {"inconsistent", inconsistent}, {"undecided", undecided}};
}

nlohmann::json PairJudgement::toJson() const
{
    nlohmann::json j = {{"index", index},
                        {"outcome", pairOutcomeName(outcome)},
                        {"verdict_a_first", verdictJson(aFirst)},
                        {"verdict_b_first", verdictJson(bFirst)},
                        {"replies", replies},
                        {"attempts", attempts}};
    if (!problem.empty())
        j["problem"] = problem;
    return j;
}

PairJudgement PairJudgement::fromJson(const nlohmann::json& j)
{
    try {
        PairJudgement p;
        p.index = j.at("index").get<size_t>();
        p.outcome = outcomeByName(j.at("outcome").get<std::string>());
        p.aFirst = verdictFromJson(j.at("verdict_a_first"));
        p.bFirst = verdictFromJson(j.at("verdict_b_first"));
        p.replies = j.at("replies").get<std::vector<std::string>>();
        p.attempts = j.at("attempts").get<int>();
        p.problem = j.value("problem", "");
        return p;
    } catch (const nlohmann::json::exception& ex) {
        throw FormatError("a judged pair is malformed (" + std::string(ex.what()) + "): " + j.dump().substr(0, 120));
    }
}

CompareResult runComparison(JudgeClient& client, const CompareSettings& s, const ProgressFn& progress,
                            const NoteFn& note, const JobControl* job)
{
    const Responses a = loadResponses(s.pathA, s.keyA);
    const Responses b = loadResponses(s.pathB, s.keyB);
    requireSameEntries(a, b, s);
    const nlohmann::json setup = setupJson(s, a, b, requireModel(client, s.model, job), client);
    JsonlJournal journal = JsonlJournal::resume(journalPathFor(s.outPath), identityOf(setup),
                                                {{"journal", kFormat}, {"version", 1}, {"setup", setup}, {"started", now()}},
                                                s.restart);
    std::map<size_t, PairJudgement> judged;
    for (const nlohmann::json& item : journal.items()) {
        PairJudgement p = PairJudgement::fromJson(item);
        judged[p.index] = std::move(p);
    }
    CompareResult result;
    const size_t total = a.answers.size();
    const auto finish = [&] {
        result.pairs.clear();
        result.tally = {};
        for (size_t i = 0; i < total; ++i) {
            const auto it = judged.find(i);
            PairJudgement pair; // not judged yet: undecided
            pair.index = i;
            result.pairs.push_back(it != judged.end() ? it->second : pair);
            result.tally.add(result.pairs.back().outcome);
        }
        writeResult(s.outPath, journal, result);
    };
    try {
        for (size_t i = 0; i < total; ++i) {
            const auto it = judged.find(i);
            if (it != judged.end() && it->second.outcome != PairOutcome::Undecided) {
                ++result.reused;
                continue;
            }
            if (job)
                job->checkpoint();
            const NoteFn entryNote = [&](const std::string& line) {
                if (note)
                    note("entry " + std::to_string(i) + ": " + line);
            };
            const PairJudgement pair = judgePair(client, s, a.dataset.entries[i], a.answers[i], b.answers[i], job, entryNote);
            journal.append(pair.toJson());
            judged[i] = pair;
            if (progress)
                progress(int64_t(i + 1), int64_t(total), {});
        }
    } catch (const JudgeError&) {
        finish();
        throw;
    } catch (const Cancelled&) {
        finish();
        throw;
    }
    finish();
    return result;
}

} // namespace sft
