// sft-studio eval-loss: the chapter's calc_loss_loader over one split, batches in file order;
// with --method dpo the DPO notebook's compute_dpo_loss_loader, with the rewards.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/hub/model_cache.h"
#include "core/io/mapping_guard.h"
#include "core/io/model_folder.h"
#include "core/train/objective.h"
#include "core/train/train_options.h"

#include <cstdio>
#include <limits>

namespace sft::cli {

namespace {

std::unique_ptr<Objective> objectiveFor(const Options& o, const TrainOptions& method, const std::string& modelDir)
{
    if (!method.isDpo()) {
        if (o.isSet("reference") || o.isSet("beta"))
            throw UsageError(std::string("--") + (o.isSet("reference") ? "reference" : "beta") +
                             " goes with --method dpo");
        return crossEntropyObjective(true);
    }
    const double beta = o.real("beta", 0, 100);
    if (beta <= 0)
        throw UsageError("--beta must be above 0");
    const std::string reference = o.isSet("reference") ? resolveModel(o.text("reference")) : modelDir;
    LoadedModel loaded = loadModelFolder(reference, Adapters::Merge, WeightUse::Evaluation);
    return preferenceObjective(ReferenceModel::separate(std::move(loaded.model)), beta, true);
}

} // namespace

int cmdEvalLoss(const QStringList& args)
{
    Options o("eval-loss", "Print a model's mean loss over a dataset split (mean of per-batch losses); with "
                           "--method dpo, DPO's loss and rewards against a reference model.");
    o.add("model", "Model folder.", "DIR");
    o.add("data", "Instruction dataset (with --method dpo: preference data, entries with chosen and rejected).",
          "FILE");
    o.add("method", "sft: the chapter's cross-entropy; dpo: DPO's loss, chosen and rejected rewards and their margin.",
          "NAME", "sft");
    o.add("reference", "With --method dpo: the reference model folder (default: the model itself).", "DIR");
    o.add("beta", "With --method dpo: DPO's beta.", "B", "0.1");
    o.add("split", "train, val, test or all.", "NAME", "all");
    o.add("batch-size", "Entries per batch.", "N", "8");
    o.add("max-batches", "Use only the first N batches (0: all).", "N", "0");
    o.add("max-length", "Truncate batches to this many tokens.", "N", "1024");
    o.add("template", "Prompt template: alpaca, phi3, or a template file.", "NAME", "alpaca");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    if (!o.parse(args))
        return 0;
    const TrainOptions method = TrainOptions::defaultsFor(o.text("method"));
    const int64_t batchSize = o.integer("batch-size", 1, 4096);
    int64_t maxBatches = o.integer("max-batches", 0, std::numeric_limits<int32_t>::max());
    const std::string modelDir = resolveModel(o.required("model"));
    const uint64_t lostPagesBefore = lostMappedPages();
    LoadedModel loaded = loadModelFolder(modelDir, Adapters::Merge, WeightUse::Evaluation);
    const Tokenizer tokenizer = loadTokenizer(modelDir, o.text("tokenizer"));
    const Dataset dataset = loadDataset(o.required("data"), BadEntries::Refuse, method.entryFields());
    const std::vector<Entry> entries = selectSplit(dataset.entries, o.text("split"));
    const std::unique_ptr<Objective> objective = objectiveFor(o, method, modelDir);
    CollateOptions collate;
    collate.allowedMaxLength = std::min(o.integer("max-length", 2, 1 << 20), loaded.config.contextLength);
    const PromptTemplate tmpl = PromptTemplate::byName(o.text("template"));
    std::vector<Example> examples = method.isDpo() ? tokenizePreferences(entries, tmpl, tokenizer)
                                                   : tokenizeEntries(entries, tmpl, tokenizer);
    if (method.isDpo())
        if (const size_t dropped = dropPairsWithoutAnswer(examples, collate.allowedMaxLength))
            std::fprintf(stderr, "%zu entries left out: their prompt fills the max length and leaves no answer token\n",
                         dropped);
    const DataLoader loader(std::move(examples), batchSize, false, false, 0, collate);
    if (maxBatches == 0)
        maxBatches = loader.numBatches();
    const LossReport report = objective->estimate(loaded.model, loader, maxBatches);
    requireNoMappedPagesLostSince(lostPagesBefore);
    if (!report.rewards)
        std::printf("loss %.6f\n", report.loss);
    else
        std::printf("loss %.6f chosen_reward %.6f rejected_reward %.6f margin %.6f\n", report.loss,
                    report.rewards->chosen, report.rewards->rejected, report.rewards->margin());
    return 0;
}

} // namespace sft::cli
