// sft-studio respond: the chapter's test-set answers, written in its JSON shape. Every batch's
// answers are kept in OUT.journal.jsonl as soon as they are decoded, so a run that was stopped
// or killed continues where it stopped when the same command is run again.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/eval/responder.h"
#include "core/eval/responses_journal.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"

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
    o.add("max-new-tokens", "Most tokens per answer.", "N", "256");
    o.add("batch-size", "Prompts decoded together.", "N", "8");
    o.add("template", "Prompt template: alpaca, phi3, or a template file.", "NAME", "alpaca");
    o.add("key", "Field that receives the answer.", "NAME", "model_response");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    o.add("restart", "Discard the answers a stopped run with other settings left in OUT.journal.jsonl.");
    if (!o.parse(args))
        return 0;
    GenerationOptions generation;
    generation.maxNewTokens = o.integer("max-new-tokens", 1, 1 << 20);
    generation.batchSize = o.integer("batch-size", 1, 4096);
    const std::string out = o.required("out");
    const std::string modelDir = resolveModel(o.required("model"));
    LoadedModel loaded = loadModelFolder(modelDir);
    const Tokenizer tokenizer = loadTokenizer(modelDir, o.text("tokenizer"));
    const Dataset dataset = loadDataset(o.required("data"));
    const std::vector<Entry> entries = selectSplit(dataset.entries, o.text("split"));
    ResponsesWork work;
    work.modelDir = modelDir;
    work.tokenizerDir = o.text("tokenizer");
    work.datasetSha256 = dataset.sha256;
    work.split = o.text("split");
    work.templateName = o.text("template");
    work.key = o.text("key");
    work.maxNewTokens = generation.maxNewTokens;
    work.batchSize = generation.batchSize;
    JsonlJournal journal = openResponsesJournal(out, work, o.isSet("restart"));
    if (!journal.items().empty())
        std::fprintf(stderr, "continuing: %zu of %zu answers are in %s\n", journal.items().size(), entries.size(),
                     journal.path().c_str());
    Progress progress("tokens");
    const nlohmann::json answers =
        respondJournaled(loaded.model, tokenizer, PromptTemplate::byName(o.text("template")), entries, generation,
                         journal, o.text("key"), progress.callback(), &interruptibleJob());
    progress.finish();
    finishResponses(out, answers);
    std::fprintf(stderr, "wrote %zu answers to %s\n", entries.size(), out.c_str());
    return 0;
}

} // namespace sft::cli
