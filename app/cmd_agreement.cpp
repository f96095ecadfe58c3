// sft-studio agreement: how closely two judges' scores of the same entries agree.

#include "app/cli_judge.h"
#include "app/commands.h"
#include "core/judge/agreement.h"
#include "core/judge/scores_file.h"
#include "core/util/error.h"

#include <algorithm>
#include <cstdio>

namespace sft::cli {

namespace {

// A list that silently dropped entries it could not score (the chapter's script does) can be
// realigned when the user knows which entries those were.
void insertSkipped(ScoreList& list, const std::string& indices, const std::string& option)
{
    std::vector<size_t> skipped;
    for (const QString& part : QString::fromStdString(indices).split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const uint index = part.trimmed().toUInt(&ok);
        if (!ok)
            throw UsageError("--" + option + " takes entry indices separated by commas, not '" + indices + "'");
        skipped.push_back(index);
    }
    std::sort(skipped.begin(), skipped.end());
    for (size_t index : skipped) {
        if (index > list.scores.size())
            throw UsageError("--" + option + ": entry " + std::to_string(index) + " is past the end of " + list.name);
        list.scores.insert(list.scores.begin() + long(index), std::nullopt);
    }
}

} // namespace

int cmdAgreement(const QStringList& args)
{
    Options o("agreement", "Pearson, Spearman and Kendall tau-b between two judges' scores of the same entries. "
                           "Each file is a JSON list of scores (null for none) or an sft-studio scores file.");
    o.addPositional("SCORES_A", "First scores file.");
    o.addPositional("SCORES_B", "Second scores file.");
    o.add("skipped-in-a", "Entries (0-based, comma-separated) that A's list left out instead of writing null.", "LIST");
    o.add("skipped-in-b", "The same for B.", "LIST");
    if (!o.parse(args))
        return 0;
    if (o.positional().size() != 2)
        throw UsageError("give two scores files");
    ScoreList a = loadScoreList(o.positional()[0].toStdString());
    ScoreList b = loadScoreList(o.positional()[1].toStdString());
    insertSkipped(a, o.text("skipped-in-a"), "skipped-in-a");
    insertSkipped(b, o.text("skipped-in-b"), "skipped-in-b");
    Agreement r;
    try {
        r = agreement(a, b);
    } catch (const ConfigError& e) {
        if (a.scores.size() == b.scores.size())
            throw;
        throw ConfigError(std::string(e.what()) +
                          ". A list that left out the entries it could not score (the chapter's "
                          "llama3-8b-model-2-response.json has 99 of 100) cannot be paired by position; if you know "
                          "which entries it left out, name them with --skipped-in-a or --skipped-in-b");
    }
    std::printf("pairs     %zu (entries scored in both lists", r.pairs);
    if (r.unscoredInA || r.unscoredInB)
        std::printf("; left out: %zu unscored in A, %zu in B", r.unscoredInA, r.unscoredInB);
    std::printf(")\n");
    std::printf("pearson   %s\n", formatNumber(r.pearson, 3).c_str());
    std::printf("spearman  %s (average ranks for ties)\n", formatNumber(r.spearman, 3).c_str());
    std::printf("kendall   %s (tau-b)\n", formatNumber(r.kendall, 3).c_str());
    return 0;
}

} // namespace sft::cli
