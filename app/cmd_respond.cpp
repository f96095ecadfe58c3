// sft-studio respond: the chapter's test-set answers, written in its JSON shape. Every batch's
// answers are kept in OUT.journal.jsonl as soon as they are decoded, so a run that was stopped
// or killed continues where it stopped when the same command is run again.

#include "app/cli_settings.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "core/generate/generation_settings.h"
#include "core/generate/responses_journal.h"
#include "core/jobs/respond_job.h"

#include <cstdio>

namespace sft::cli {

int cmdRespond(const QStringList& args)
{
    Options o("respond", "Generate the model's answer for each entry of a split and write the entries "
                         "with a model_response field (the chapter's instruction-data-with-response.json). "
                         "A stopped run continues where it stopped when the same command is run again.");
    o.add("model", "Model folder.", "DIR");
    o.add("data", "Instruction dataset.", "FILE");
    o.add("out", "Output JSON file (answers so far wait in OUT.journal.jsonl until every one is there).", "FILE");
    o.add("split", "test, val, train or all.", "NAME", "test");
    const std::vector<SettingInfo> settings =
        settingsWithFlags(generationSettings().infos(), {"max-new-tokens", "batch-size"});
    addSettingFlags(o, settings);
    o.add("template", "Prompt template: alpaca, phi3, or a template file.", "NAME", "alpaca");
    o.add("key", "Field that receives the answer.", "NAME", "model_response");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    o.add("restart", "Discard the answers a stopped run with other settings left in OUT.journal.jsonl.");
    o.add("strict", "Refuse a dataset with any invalid entry (by default each is reported and skipped).");
    if (!o.parse(args))
        return 0;
    RespondJob job;
    job.generation = generationSettings().fromJson(readSettingFlags(o, settings));
    job.model = o.required("model");
    job.data = o.required("data");
    job.out = o.required("out");
    job.tokenizer = o.text("tokenizer");
    job.split = o.text("split");
    job.templateName = o.text("template");
    job.key = o.text("key");
    job.earlier = o.isSet("restart") ? RespondJob::Earlier::Restart : RespondJob::Earlier::Refuse;
    job.strict = o.isSet("strict");
    Progress progress("tokens");
    RespondEvents events;
    events.note = progress.noteCallback();
    events.progress = progress.callback();
    events.loaded = [&](const std::vector<Entry>& entries, size_t kept, size_t) {
        if (kept > 0)
            progress.message("continuing: " + std::to_string(kept) + " of " + std::to_string(entries.size()) +
                             " answers are in " + responsesJournalPath(job.out));
    };
    const size_t answers = runResponding(job, events, &interruptibleJob());
    progress.finish();
    std::fprintf(stderr, "wrote %zu answers to %s\n", answers, job.out.c_str());
    return 0;
}

} // namespace sft::cli
