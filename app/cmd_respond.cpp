// sft-studio respond: the chapter's test-set answers, written in its JSON shape.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/eval/responder.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/util/files.h"

namespace sft::cli {

int cmdRespond(const QStringList& args)
{
    Options o("respond", "Generate the model's answer for each entry of a split and write the entries "
                         "with a model_response field (the chapter's instruction-data-with-response.json).");
    o.add("model", "Model folder.", "DIR");
    o.add("data", "Instruction dataset.", "FILE");
    o.add("out", "Output JSON file.", "FILE");
    o.add("split", "test, val, train or all.", "NAME", "test");
    o.add("max-new-tokens", "Most tokens per answer.", "N", "256");
    o.add("batch-size", "Prompts decoded together.", "N", "8");
    o.add("template", "Prompt template: alpaca, phi3, or a template file.", "NAME", "alpaca");
    o.add("key", "Field that receives the answer.", "NAME", "model_response");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
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
    Progress progress("tokens");
    const nlohmann::json answers = respond(loaded.model, tokenizer, PromptTemplate::byName(o.text("template")), entries,
                                           generation, o.text("key"), progress.callback(), &interruptibleJob());
    progress.finish();
    // Answers may end inside a multi-byte character; such bytes become U+FFFD, not an error.
    writeFileAtomic(out, answers.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    std::fprintf(stderr, "wrote %zu answers to %s\n", entries.size(), out.c_str());
    return 0;
}

} // namespace sft::cli
