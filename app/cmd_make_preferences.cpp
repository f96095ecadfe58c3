// sft-studio make-preferences: preference data for DPO from an instruction dataset and a local
// model, as the book's create-preference-data-ollama notebook. Resumable like score.

#include "app/cli_judge.h"
#include "app/cli_settings.h"
#include "app/commands.h"
#include "core/judge/judge_settings.h"
#include "core/judge/make_preferences.h"
#include "core/util/files.h"

#include <cstdio>

namespace sft::cli {

int cmdMakePreferences(const QStringList& args)
{
    Options o("make-preferences",
              "Make DPO preference data from an instruction dataset with a local model (Ollama or an "
              "OpenAI-compatible server), as the book's create-preference-data notebook: each entry's answer is "
              "rewritten slightly in a direction drawn at random (seeded); the answer in the preferred style "
              "becomes 'chosen', the other 'rejected'. Rerunning the same command continues a stopped run.");
    o.add("data", "Instruction dataset (JSON list or JSON Lines).", "FILE");
    o.add("out", "Preference dataset to write (its journal OUT.journal.jsonl makes the run resumable).", "FILE");
    o.add("style", "The preferred style.", "WORD", "polite");
    o.add("opposite", "The other style.", "WORD", "impolite");
    o.add("prompt", "A prompt file with {input}, {output} and {style} (default: the notebook's prompt).", "FILE");
    o.add("redo", "Rewrite entries that already have chosen and rejected too (by default they keep theirs).");
    addAskingOptions(o, rewriteSampling());
    o.add("restart", "Discard rewrites stored in the output's journal for another setup.");
    if (!o.parse(args))
        return 0;
    const ScoreSettings asking = askingSettingsOf(o, rewriteSampling());
    PreferenceSettings settings;
    settings.dataPath = o.required("data");
    settings.outPath = o.required("out");
    settings.style = o.text("style");
    settings.opposite = o.text("opposite");
    if (o.isSet("prompt"))
        settings.prompt = readFile(o.text("prompt"));
    settings.model = asking.model;
    settings.options = asking.options;
    settings.retry = asking.retry;
    settings.redo = o.isSet("redo");
    settings.restart = o.isSet("restart");
    const auto client = makeJudgeClient(judgeServer(o));

    Progress progress("entries");
    const PreferenceEvents events{progress.resumingCallback(), progress.noteCallback()};
    const PreferenceRunResult result = makePreferences(*client, settings, events, &interruptibleJob());
    progress.finish();
    std::printf("%zu entries: %zu rewritten now, %zu by an earlier run, %zu kept their chosen and rejected\nwrote %s\n",
                result.entries, result.rewritten, result.reused, result.kept, settings.outPath.c_str());
    return 0;
}

} // namespace sft::cli
