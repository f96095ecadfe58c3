// sft-studio train: the chapter's fine-tuning run, headless; --resume continues a run.

#include "app/cli_settings.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "core/jobs/train_job.h"

#include <cstdio>

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

// What a run needs besides its settings; --resume takes all of it from run.json.
void addRunInputs(Options& o)
{
    o.add("model", "Model folder to start from (or a downloaded model: gpt2-small ... gpt2-xl).", "DIR");
    o.add("data", "Instruction dataset (JSON list or JSON Lines).", "FILE");
    o.add("out", "New run folder (run.json, metrics.jsonl, steps.jsonl, checkpoints/).", "RUNDIR");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    o.add("strict", "Refuse a dataset with any invalid entry (by default each is reported and skipped).");
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
    std::string given = firstSettingFlagSet(o, trainSettings().infos());
    for (const char* input : {"model", "data", "out", "tokenizer", "strict"})
        if (given.empty() && o.isSet(input))
            given = input;
    if (!given.empty())
        throw UsageError("--resume takes every setting from the run's run.json; leave out --" + given);
    CliObserver observer;
    return report(resumeTraining(o.text("resume"), o.integer("more-epochs", 0, 10000), observer, &interruptibleJob()));
}

} // namespace

int cmdTrain(const QStringList& args)
{
    Options o("train", "Fine-tune a model folder on an instruction dataset (the chapter's defaults), or continue "
                       "a run with --resume.");
    addRunInputs(o);
    addSettingFlags(o, trainSettings().infos());
    o.add("resume", "Continue the run in RUNDIR from its last checkpoint (stopped, killed, or finished with "
                    "--more-epochs), with its own settings.", "RUNDIR");
    o.add("more-epochs", "With --resume: train N epochs more than the run planned (lifts --max-steps).", "N", "0");
    if (!o.parse(args))
        return 0;
    if (o.isSet("resume"))
        return resume(o);
    if (o.isSet("more-epochs"))
        throw UsageError("--more-epochs goes with --resume RUNDIR");
    TrainJob job;
    // DPO's own defaults (the notebook's learning rate, weight decay and epochs) where no flag is given.
    const TrainOptions defaults = TrainOptions::defaultsFor(o.isSet("method") ? o.text("method") : "sft");
    job.options = trainSettings().fromJson(readSettingFlags(o, trainSettings().infos(), defaults.toJson()));
    job.model = o.required("model");
    job.data = o.required("data");
    job.out = o.required("out");
    job.tokenizer = o.text("tokenizer");
    job.strict = o.isSet("strict");
    CliObserver observer;
    return report(runTraining(job, observer, &interruptibleJob()));
}

} // namespace sft::cli
