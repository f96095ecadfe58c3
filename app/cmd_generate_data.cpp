// sft-studio generate-data: new instruction/response pairs from a local model, as the book's
// llama3-ollama dataset-generation notebook. Resumable like make-preferences.

#include "app/cli_judge.h"
#include "app/cli_settings.h"
#include "app/commands.h"
#include "core/judge/generate_data.h"
#include "core/judge/judge_settings.h"

#include <cstdio>

namespace sft::cli {

int cmdGenerateData(const QStringList& args)
{
    Options o("generate-data",
              "Generate new instruction/response pairs with a local model, as the book's llama3-ollama notebook: "
              "Ollama is sent Llama 3's pre-query template as an assistant message, the first non-empty line of "
              "its reply is the instruction, and its answer to that instruction the output. An OpenAI-compatible "
              "server (--api openai) is asked instead for an instruction in the style of three examples drawn "
              "from --examples. Each entry asks with a seed of its own made from --seed and its number, so a "
              "rerun makes the same entries. Rerunning the same command continues a stopped run.");
    o.add("count", "Number of entries to generate.", "N");
    o.add("out", "Dataset to write, a JSON list of {instruction, output} (its journal OUT.journal.jsonl makes "
                 "the run resumable).",
          "FILE");
    o.add("examples", "Dataset to draw example instructions from (OpenAI-compatible servers only).", "FILE");
    addAskingOptions(o, generationSampling());
    o.add("restart", "Discard entries stored in the output's journal for another setup.");
    if (!o.parse(args))
        return 0;
    const ScoreSettings asking = askingSettingsOf(o, generationSampling());
    GenerationSettings settings;
    settings.outPath = o.required("out");
    if (!o.isSet("count"))
        throw UsageError("missing --count");
    settings.count = size_t(o.integer("count", 1, 10'000'000));
    if (o.isSet("examples"))
        settings.examplesPath = o.text("examples");
    settings.model = asking.model;
    settings.options = asking.options;
    settings.options.topP = generationSampling().topP;
    settings.retry = asking.retry;
    settings.restart = o.isSet("restart");
    const auto client = makeJudgeClient(judgeServer(o));

    Progress progress("entries");
    const GenerationEvents events{progress.resumingCallback(), progress.noteCallback()};
    const GenerationResult result = generateData(*client, settings, events, &interruptibleJob());
    progress.finish();
    std::printf("%zu entries: %zu generated now, %zu by an earlier run; %zu replies without an instruction or "
                "answer were asked again\nwrote %s\n",
                result.entries, result.generated, result.reused, result.redrawn, settings.outPath.c_str());
    return 0;
}

} // namespace sft::cli
