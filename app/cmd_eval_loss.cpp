// sft-studio eval-loss: the chapter's calc_loss_loader over one split, batches in file order.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/train/loss.h"

#include <cstdio>
#include <limits>

namespace sft::cli {

int cmdEvalLoss(const QStringList& args)
{
    Options o("eval-loss", "Print a model's mean loss over a dataset split (mean of per-batch losses).");
    o.add("model", "Model folder.", "DIR");
    o.add("data", "Instruction dataset.", "FILE");
    o.add("split", "train, val, test or all.", "NAME", "all");
    o.add("batch-size", "Entries per batch.", "N", "8");
    o.add("max-batches", "Use only the first N batches (0: all).", "N", "0");
    o.add("max-length", "Truncate batches to this many tokens.", "N", "1024");
    o.add("template", "Prompt template: alpaca, phi3, or a template file.", "NAME", "alpaca");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    if (!o.parse(args))
        return 0;
    const int64_t batchSize = o.integer("batch-size", 1, 4096);
    int64_t maxBatches = o.integer("max-batches", 0, std::numeric_limits<int32_t>::max());
    const std::string modelDir = resolveModel(o.required("model"));
    LoadedModel loaded = loadModelFolder(modelDir);
    const Tokenizer tokenizer = loadTokenizer(modelDir, o.text("tokenizer"));
    const Dataset dataset = loadDataset(o.required("data"));
    const std::vector<Entry> entries = selectSplit(dataset.entries, o.text("split"));
    CollateOptions collate;
    collate.allowedMaxLength = std::min(o.integer("max-length", 2, 1 << 20), loaded.config.contextLength);
    const DataLoader loader(tokenizeEntries(entries, PromptTemplate::byName(o.text("template")), tokenizer),
                            batchSize, false, false, 0, collate);
    if (maxBatches == 0)
        maxBatches = loader.numBatches();
    std::printf("loss %.6f\n", meanLoss(loaded.model, loader, maxBatches));
    return 0;
}

} // namespace sft::cli
