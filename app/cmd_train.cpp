// sft-studio train: the chapter's fine-tuning run, headless; --resume continues a run.

#include "app/cli_settings.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "core/dist/process_group.h"
#include "core/jobs/train_event_stream.h"
#include "core/jobs/train_job.h"
#include "core/util/files.h"

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

// The ranks other than 0 of a distributed run: their messages, marked, as their log.
class RankLogObserver : public TrainObserver {
public:
    explicit RankLogObserver(int rank) : prefix_("[rank " + std::to_string(rank) + "] ") {}
    void onMessage(const std::string& text) override { std::fprintf(stderr, "%s%s\n", prefix_.c_str(), text.c_str()); }

private:
    std::string prefix_;
};

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

// How many processes and how long they wait are how the run is computed, not what: a resumed
// run may change them.
bool changesOnResume(const SettingInfo& s) { return s.key == "/processes" || s.key == "/dist_timeout"; }

int resume(const Options& o)
{
    std::vector<SettingInfo> fixed, changeable;
    for (const SettingInfo& s : trainSettings().infos())
        (changesOnResume(s) ? changeable : fixed).push_back(s);
    std::string given = firstSettingFlagSet(o, fixed);
    for (const char* input : {"model", "data", "out", "tokenizer", "strict"})
        if (given.empty() && o.isSet(input))
            given = input;
    if (!given.empty())
        throw UsageError("--resume takes every setting from the run's run.json; leave out --" + given);
    ResumeJob job;
    job.runDir = o.text("resume");
    job.moreEpochs = o.integer("more-epochs", 0, 10000);
    const nlohmann::json changed = readSettingFlags(o, changeable, TrainOptions().toJson());
    if (o.isSet("nproc"))
        job.processes = changed["processes"].get<int64_t>();
    if (o.isSet("dist-timeout"))
        job.distTimeout = changed["dist_timeout"].get<double>();
    CliObserver observer;
    return report(runResume(job, observer, &interruptibleJob()));
}

// One rank started by `train --nproc` (runLocalRanks): rank 0 reports to the launcher as events
// on stdout, the others keep a log on stderr.
int rankTask(const Options& o)
{
    const nlohmann::json task = nlohmann::json::parse(readFile(o.text("rank-task")));
    const std::optional<LaunchEnvironment> launch = launchEnvironment();
    if (launch && launch->rank == 0) {
        TrainEventWriter events(stdout);
        const TrainResult result = runRankTask(task, events, &interruptibleJob());
        events.writeResult(result);
        return result.stopped ? 130 : 0;
    }
    RankLogObserver log(launch ? launch->rank : 0);
    return report(runRankTask(task, log, &interruptibleJob()));
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
    o.add("rank-task", "Internal: what one of the processes started by --nproc runs.", "FILE");
    if (!o.parse(args))
        return 0;
    if (o.isSet("rank-task"))
        return rankTask(o);
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
    const std::optional<LaunchEnvironment> launch = launchEnvironment();
    if (launch && launch->rank != 0) {
        RankLogObserver log(launch->rank);
        return report(runTraining(job, log, &interruptibleJob()));
    }
    CliObserver observer;
    return report(runTraining(job, observer, &interruptibleJob()));
}

} // namespace sft::cli
