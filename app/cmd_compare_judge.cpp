// sft-studio compare-judge: which of two sets of answers the judge prefers, entry by entry, each
// pair asked in both orders so position bias shows instead of deciding the result.

#include "app/cli_judge.h"
#include "app/commands.h"
#include "core/judge/pairwise.h"

#include <cstdio>

namespace sft::cli {

namespace {

void printTally(const CompareSettings& s, const CompareResult& r)
{
    const PairTally& t = r.tally;
    std::printf("A: %s (%s)\nB: %s (%s)\n", s.pathA.c_str(), s.keyA.c_str(), s.pathB.c_str(), s.keyB.c_str());
    std::printf("%zu pairs, each judged by %s with A first and with B first (%zu kept from earlier runs):\n",
                r.pairs.size(), s.model.c_str(), r.reused);
    std::printf("  A better      %zu\n", t.aWins);
    std::printf("  B better      %zu\n", t.bWins);
    std::printf("  tie           %zu\n", t.ties);
    std::printf("  inconsistent  %zu  (the verdict followed the position, not the answer)\n", t.inconsistent);
    std::printf("  undecided     %zu  (no readable verdict after every attempt)\n", t.undecided);
    const size_t decided = t.aWins + t.bWins + t.ties;
    if (decided)
        std::printf("A wins %s%% of the %zu consistent verdicts, B %s%%\n",
                    formatNumber(100.0 * double(t.aWins) / double(decided), 1).c_str(), decided,
                    formatNumber(100.0 * double(t.bWins) / double(decided), 1).c_str());
    std::printf("wrote %s\n", s.outPath.c_str());
}

} // namespace

int cmdCompareJudge(const QStringList& args)
{
    Options o("compare-judge", "Ask an LLM judge which of two answers to each entry is better, in both orders. "
                               "A and B must answer the same entries (they may be the same file with two keys).");
    o.add("a", "Responses file A.", "FILE");
    o.add("b", "Responses file B.", "FILE");
    o.add("key", "Field holding the answers in both files.", "NAME", "model_response");
    o.add("key-a", "Field holding A's answers (default: --key).", "NAME");
    o.add("key-b", "Field holding B's answers (default: --key).", "NAME");
    o.add("out", "Verdicts file to write (resumable through OUT.journal.jsonl).", "FILE");
    addJudgeOptions(o, JudgeSamples::NotTaken);
    if (!o.parse(args))
        return 0;
    CompareSettings s;
    s.pathA = o.required("a");
    s.pathB = o.required("b");
    s.keyA = o.isSet("key-a") ? o.text("key-a") : o.text("key");
    s.keyB = o.isSet("key-b") ? o.text("key-b") : o.text("key");
    s.outPath = o.required("out");
    const ScoreSettings judge = judgeSettingsOf(o, JudgeSamples::NotTaken);
    s.model = judge.model;
    s.options = judge.options;
    s.structured = judge.structured;
    s.retry = judge.retry;
    s.restart = judge.restart;
    const auto client = makeJudgeClient(judgeServer(o));
    pullIfMissing(*client, s.model, o);
    Progress progress("pairs");
    const CompareResult result =
        runComparison(*client, s, progress.callback(), progress.noteCallback(), &interruptibleJob());
    progress.finish();
    printTally(s, result);
    return 0;
}

} // namespace sft::cli
