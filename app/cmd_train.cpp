// sft-studio train: the chapter's fine-tuning run, headless; --resume continues a run.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/dataset.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/train/trainer.h"

#include <cstdio>
#include <optional>

namespace sft::cli {

namespace {

// Chapter-style lines on stdout, a progress bar on stderr.
class CliObserver : public TrainObserver {
public:
    void onStep(const StepPoint& p) override
    {
        char label[64];
        std::snprintf(label, sizeof label, "loss %.4f, lr %.3g", p.loss, p.learningRate);
        progress_.update(p.step + 1, p.totalSteps, label);
    }
    void onEvaluation(const EvalPoint& p) override { print(formatEvalLine(p)); }
    void onSample(int64_t epoch, const std::string& text) override
    {
        print("Sample after epoch " + std::to_string(epoch) + ": " + text);
    }
    void onMessage(const std::string& text) override { progress_.message(text); }
    // The lines of the steps kept, so that a resumed run's output reads as one run's.
    void onResumed(int64_t stepsDone, const std::vector<StepPoint>&, const std::vector<EvalPoint>& evals) override
    {
        progress_.resumeFrom(stepsDone);
        for (const EvalPoint& p : evals)
            onEvaluation(p);
    }

private:
    void print(const std::string& line)
    {
        progress_.clearLine();
        std::printf("%s\n", line.c_str());
        std::fflush(stdout);
    }
    Progress progress_{"steps"};
};

const char* const kRunSettings[] = {
    "model", "data", "out", "tokenizer", "epochs", "batch-size", "lr", "weight-decay", "beta1", "beta2", "adam-eps",
    "eval-freq", "eval-iter", "sample-tokens",
    "seed", "max-length", "template", "no-shuffle", "max-steps", "full-head", "mask-prompt", "group-by-length",
    "lr-schedule",
    "warmup-steps", "warmup-ratio", "min-lr", "grad-accum", "max-grad-norm", "early-stopping-patience",
    "early-stopping-min-delta", "keep-best", "save-every", "keep-last", "precision", "dropout",
    "no-decay-bias-norm", "lora", "lora-rank", "lora-alpha", "lora-dropout", "lora-targets", "lora-merged",
    "no-memory-check", "skip-bad-entries"};

void addRunSettings(Options& o)
{
    o.add("model", "Model folder to start from.", "DIR");
    o.add("data", "Instruction dataset (JSON list or JSON Lines).", "FILE");
    o.add("out", "New run folder (run.json, metrics.jsonl, steps.jsonl, checkpoints/).", "RUNDIR");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    o.add("epochs", "Training epochs.", "N", "2");
    o.add("batch-size", "Entries per batch (per micro-batch with --grad-accum).", "N", "8");
    o.add("lr", "AdamW learning rate (the peak of a schedule).", "LR", "5e-5");
    o.add("weight-decay", "AdamW weight decay.", "WD", "0.1");
    o.add("beta1", "AdamW beta1 (first moment decay).", "B", "0.9");
    o.add("beta2", "AdamW beta2 (second moment decay).", "B", "0.999");
    o.add("adam-eps", "AdamW epsilon.", "EPS", "1e-8");
    o.add("eval-freq", "Evaluate every N steps.", "N", "5");
    o.add("eval-iter", "Batches of train and validation data per evaluation.", "N", "5");
    o.add("sample-tokens", "Greedy tokens of the sample printed after each epoch (0: none).", "N", "50");
    o.add("seed", "Seed for shuffling and dropout.", "N", "123");
    o.add("max-length", "Truncate batches to this many tokens (allowed_max_length).", "N", "1024");
    o.add("template", "Prompt template: alpaca, phi3, or a template file.", "NAME", "alpaca");
    o.add("no-shuffle", "Keep the training entries in file order.");
    o.add("max-steps", "Stop after N optimizer steps (0: all epochs).", "N", "0");
    o.add("full-head", "Apply the output head at every position (the chapter's way; same loss, slower).");
    o.add("mask-prompt", "No loss on the instruction and input tokens, only on the response (exercise 7.2).");
    o.add("group-by-length", "Training batches of entries of similar length (shuffled, seeded): less padding, "
          "faster steps; the batches differ from the chapter's.");
    o.add("lr-schedule", "constant, cosine or linear (decay from --lr to --min-lr after the warmup).", "NAME",
          "constant");
    o.add("warmup-steps", "Raise the learning rate linearly over the first N steps.", "N", "0");
    o.add("warmup-ratio", "Warm up over this fraction of all steps instead.", "R", "0");
    o.add("min-lr", "Learning rate where cosine and linear decay end.", "LR", "0");
    o.add("grad-accum", "Micro-batches per optimizer step (effective batch = batch size x N).", "N", "1");
    o.add("max-grad-norm", "Clip the global gradient norm to this (0: no clipping; the norm is logged).", "X", "0");
    o.add("early-stopping-patience", "Stop after N evaluations without a lower validation loss (0: never).", "N",
          "0");
    o.add("early-stopping-min-delta", "How much lower a validation loss must be to count as better.", "X", "0");
    o.add("keep-best", "Keep the model of the lowest validation loss in checkpoints/best.");
    o.add("save-every", "Write a resumable checkpoint every N steps (0: only at the end or on stop).", "N", "0");
    o.add("keep-last", "Step checkpoints to keep (0: all); final and best are always kept.", "K", "2");
    o.add("precision", "auto, fp32 or bf16 (autocast with fp32 weights); auto: bf16 where the CPU computes it "
          "natively (avx512_bf16, AMX) or on CUDA.", "NAME", "auto");
    o.add("dropout", "Dropout rate while training (default: the model config's).", "P");
    o.add("no-decay-bias-norm", "No weight decay on biases and LayerNorm weights.");
    o.add("lora", "Train LoRA adapters on the frozen model instead of every weight (exercise 7.4); checkpoints "
          "hold the adapters alone.");
    o.add("lora-rank", "LoRA rank r.", "R", "8");
    o.add("lora-alpha", "LoRA alpha: updates are scaled by alpha / r.", "A", "16");
    o.add("lora-dropout", "Dropout on the adapters' input.", "P", "0.05");
    o.add("lora-targets", "Layers that get adapters: q, k, v, attn_out, ffn, head, comma-separated, or all.", "LIST",
          "q,v");
    o.add("lora-merged", "With --lora: final and best also hold the merged full model, loadable by any GPT-2 reader.");
    o.add("no-memory-check", "Start even when the memory estimate says the run will not fit.");
    o.add("skip-bad-entries", "Skip invalid dataset entries (each is reported) instead of refusing the file.");
}

// The --lora-* settings mean nothing without --lora; saying so beats ignoring them.
std::optional<LoraOptions> readLora(const Options& o)
{
    if (!o.isSet("lora")) {
        for (const char* name : {"lora-rank", "lora-alpha", "lora-dropout", "lora-targets", "lora-merged"})
            if (o.isSet(name))
                throw UsageError(std::string("--") + name + " goes with --lora");
        return std::nullopt;
    }
    LoraOptions lora;
    lora.rank = o.integer("lora-rank", 1, 1024);
    lora.alpha = o.real("lora-alpha", 1e-6, 1e6);
    lora.dropout = o.real("lora-dropout", 0, 0.999999);
    lora.targets = parseLoraTargets(o.text("lora-targets"));
    return lora;
}

TrainOptions readOptions(const Options& o)
{
    TrainOptions t;
    t.epochs = o.integer("epochs", 1, 10000);
    t.batchSize = o.integer("batch-size", 1, 4096);
    t.learningRate = o.real("lr", 1e-12, 1);
    t.weightDecay = o.real("weight-decay", 0, 10);
    t.beta1 = o.real("beta1", 0, 0.999999);
    t.beta2 = o.real("beta2", 0, 0.999999999);
    t.adamEps = o.real("adam-eps", 1e-30, 1);
    t.evalFreq = o.integer("eval-freq", 1, 1000000);
    t.evalIter = o.integer("eval-iter", 1, 1000000);
    t.sampleTokens = o.integer("sample-tokens", 0, 4096);
    t.seed = uint64_t(o.integer("seed", 0, INT64_MAX));
    t.maxLength = o.integer("max-length", 2, 1 << 20);
    t.templateName = o.text("template");
    t.shuffle = !o.isSet("no-shuffle");
    t.maxSteps = o.integer("max-steps", 0, INT64_MAX);
    t.headOnCountedTargets = !o.isSet("full-head");
    t.maskPrompt = o.isSet("mask-prompt");
    t.groupByLength = o.isSet("group-by-length");
    t.lrSchedule = o.text("lr-schedule");
    t.warmupSteps = o.integer("warmup-steps", 0, INT64_MAX);
    t.warmupRatio = o.real("warmup-ratio", 0, 0.999999);
    t.minLearningRate = o.real("min-lr", 0, 1);
    t.gradAccumulation = o.integer("grad-accum", 1, 4096);
    t.maxGradNorm = o.real("max-grad-norm", 0, 1e12);
    t.earlyStoppingPatience = o.integer("early-stopping-patience", 0, 1000000);
    t.earlyStoppingMinDelta = o.real("early-stopping-min-delta", 0, 1e12);
    t.keepBest = o.isSet("keep-best");
    t.saveEvery = o.integer("save-every", 0, INT64_MAX);
    t.keepLast = o.integer("keep-last", 0, 1000000);
    t.precision = o.text("precision");
    if (o.isSet("dropout"))
        t.dropout = o.real("dropout", 0, 0.999999);
    t.decayBiasAndNorm = !o.isSet("no-decay-bias-norm");
    t.lora = readLora(o);
    t.loraMerged = o.isSet("lora-merged");
    t.memoryCheck = !o.isSet("no-memory-check");
    return t;
}

int report(const TrainResult& result)
{
    if (result.stopped) {
        std::fprintf(stderr, "stopped after %lld steps; model saved to %s (continue with --resume)\n",
                     (long long)result.steps, result.checkpoint.c_str());
        return 130;
    }
    std::fprintf(stderr, "%s %lld steps; model saved to %s\n", result.earlyStopped ? "stopped early after" : "finished",
                 (long long)result.steps, result.checkpoint.c_str());
    return 0;
}

int resume(const Options& o)
{
    for (const char* name : kRunSettings)
        if (o.isSet(name))
            throw UsageError(std::string("--resume takes every setting from the run's run.json; leave out --") + name);
    CliObserver observer;
    return report(resumeTraining(o.text("resume"), o.integer("more-epochs", 0, 10000), observer, &interruptibleJob()));
}

} // namespace

int cmdTrain(const QStringList& args)
{
    Options o("train", "Fine-tune a model folder on an instruction dataset (the chapter's defaults), or continue "
                       "a run with --resume.");
    addRunSettings(o);
    o.add("resume", "Continue the run in RUNDIR from its last checkpoint (stopped, killed, or finished with "
                    "--more-epochs), with its own settings.", "RUNDIR");
    o.add("more-epochs", "With --resume: train N epochs more than the run planned (lifts --max-steps).", "N", "0");
    if (!o.parse(args))
        return 0;
    if (o.isSet("resume"))
        return resume(o);
    if (o.isSet("more-epochs"))
        throw UsageError("--more-epochs goes with --resume RUNDIR");
    const TrainOptions options = readOptions(o);
    options.validate();
    const std::string modelDir = resolveModel(o.required("model"));
    TrainInputs inputs{loadModelFolder(modelDir), loadTokenizer(modelDir, o.text("tokenizer")),
                       loadDataset(o.required("data"), o.isSet("skip-bad-entries") ? BadEntries::Skip : BadEntries::Refuse)};
    for (const EntryProblem& p : inputs.dataset.skipped)
        std::fprintf(stderr, "skipped %s\n", p.describe().c_str());
    CliObserver observer;
    return report(train(inputs, options, o.required("out"), observer, &interruptibleJob()));
}

} // namespace sft::cli
