// sft-studio train: the chapter's fine-tuning run, headless.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/dataset.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/train/trainer.h"

#include <cstdio>

namespace sft::cli {

namespace {

// Chapter-style lines on stdout, a progress bar on stderr.
class CliObserver : public TrainObserver {
public:
    void onStep(const StepPoint& p) override
    {
        progress_.update(p.step + 1, p.totalSteps, "loss " + std::to_string(p.loss).substr(0, 6));
    }
    void onEvaluation(const EvalPoint& p) override { print(formatEvalLine(p)); }
    void onSample(int64_t epoch, const std::string& text) override
    {
        print("Sample after epoch " + std::to_string(epoch) + ": " + text);
    }
    void onMessage(const std::string& text) override { progress_.message(text); }

private:
    void print(const std::string& line)
    {
        progress_.clearLine();
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    }
    Progress progress_{"steps"};
};

TrainOptions readOptions(const Options& o)
{
    TrainOptions t;
    t.epochs = o.integer("epochs", 1, 10000);
    t.batchSize = o.integer("batch-size", 1, 4096);
    t.learningRate = o.real("lr", 1e-12, 1);
    t.weightDecay = o.real("weight-decay", 0, 10);
    t.evalFreq = o.integer("eval-freq", 1, 1000000);
    t.evalIter = o.integer("eval-iter", 1, 1000000);
    t.seed = uint64_t(o.integer("seed", 0, INT64_MAX));
    t.maxLength = o.integer("max-length", 2, 1 << 20);
    t.templateName = o.text("template");
    t.shuffle = !o.isSet("no-shuffle");
    t.maxSteps = o.integer("max-steps", 0, INT64_MAX);
    t.headOnCountedTargets = !o.isSet("full-head");
    return t;
}

} // namespace

int cmdTrain(const QStringList& args)
{
    Options o("train", "Fine-tune a model folder on an instruction dataset (the chapter's defaults).");
    o.add("model", "Model folder to start from.", "DIR");
    o.add("data", "Instruction dataset (JSON list or JSON Lines).", "FILE");
    o.add("out", "New run folder (run.json, metrics.jsonl, checkpoints/).", "RUNDIR");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    o.add("epochs", "Training epochs.", "N", "2");
    o.add("batch-size", "Entries per batch.", "N", "8");
    o.add("lr", "AdamW learning rate.", "LR", "5e-5");
    o.add("weight-decay", "AdamW weight decay.", "WD", "0.1");
    o.add("eval-freq", "Evaluate every N steps.", "N", "5");
    o.add("eval-iter", "Batches of train and validation data per evaluation.", "N", "5");
    o.add("seed", "Seed for shuffling and dropout.", "N", "123");
    o.add("max-length", "Truncate batches to this many tokens (allowed_max_length).", "N", "1024");
    o.add("template", "Prompt template: alpaca, phi3, or a template file.", "NAME", "alpaca");
    o.add("no-shuffle", "Keep the training entries in file order.");
    o.add("max-steps", "Stop after N optimizer steps (0: all epochs).", "N", "0");
    o.add("full-head", "Apply the output head at every position (the chapter's way; same loss, slower).");
    o.add("skip-bad-entries", "Skip invalid dataset entries (each is reported) instead of refusing the file.");
    if (!o.parse(args))
        return 0;
    const TrainOptions options = readOptions(o);
    options.validate();
    const std::string modelDir = resolveModel(o.required("model"));
    TrainInputs inputs{loadModelFolder(modelDir), loadTokenizer(modelDir, o.text("tokenizer")),
                       loadDataset(o.required("data"), o.isSet("skip-bad-entries") ? BadEntries::Skip : BadEntries::Refuse)};
    for (const EntryProblem& p : inputs.dataset.skipped)
        std::fprintf(stderr, "skipped %s\n", p.describe().c_str());
    CliObserver observer;
    const TrainResult result = train(inputs, options, o.required("out"), observer, &interruptibleJob());
    if (result.stopped) {
        std::fprintf(stderr, "stopped after %lld steps; model saved to %s\n", (long long)result.steps,
                     result.checkpoint.c_str());
        return 130;
    }
    std::fprintf(stderr, "finished %lld steps; model saved to %s\n", (long long)result.steps, result.checkpoint.c_str());
    return 0;
}

} // namespace sft::cli
