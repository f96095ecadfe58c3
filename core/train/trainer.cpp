#include "core/train/trainer.h"

#include "core/data/batcher.h"
#include "core/data/prompt_template.h"
#include "core/generate/generator.h"
#include "core/train/checkpoint_folders.h"
#include "core/train/early_stopping.h"
#include "core/train/gradient_accumulation.h"
#include "core/model/lora.h"
#include "core/train/objective.h"
#include "core/io/lora_adapters.h"
#include "core/train/lr_schedule.h"
#include "core/train/memory_estimate.h"
#include "core/train/optimizer_setup.h"
#include "core/train/precision.h"
#include "core/train/resume_state.h"
#include "core/train/run_directory.h"
#include "core/train/run_inputs.h"
#include "core/train/run_metrics.h"
#include "core/train/training_plan.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "core/util/process_identity.h"

#include <torch/torch.h>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

namespace sft {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string timestamp() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString(); }

bool onCuda(Gpt& model) { return model->parameters().front().is_cuda(); }

// Everything one run needs, built once before the first step.
class Run {
public:
    // source: the model the run started from (a resumed run's inputs hold a checkpoint's).
    Run(TrainInputs& inputs, const TrainOptions& options, RunDirectory dir, TrainObserver& observer,
        const JobControl* job, std::string source, std::string started)
        : in_(inputs), opt_(options), dir_(std::move(dir)), observer_(observer), job_(job), source_(std::move(source)),
          template_(PromptTemplate::byName(options.templateName)), split_(splitDataset(inputs.dataset.entries)),
          trainLoader_(examples(split_.train, "training"), opt_.batchSize, opt_.shuffle, true, opt_.seed,
                       collateOptions(), opt_.groupByLength),
          valLoader_(examples(split_.val, "validation"), opt_.batchSize, false, false, opt_.seed, collateOptions()),
          schedule_(opt_, totalSteps()), earlyStopping_(opt_.earlyStoppingPatience, opt_.earlyStoppingMinDelta),
          precision_(resolvePrecision(opt_.precision, onCuda(inputs.model.model))), folders_(dir_.checkpointsPath()),
          started_(std::move(started))
    {
        if (trainLoader_.numBatches() == 0)
            throw ConfigError("the training split has " + std::to_string(split_.train.size()) +
                              " entries, fewer than one batch of " + std::to_string(opt_.batchSize) +
                              "; use a smaller --batch-size or more data");
        valLoader_.shareGenerator(trainLoader_);
        if ((opt_.earlyStoppingPatience > 0 || opt_.keepBest) && split_.val.empty())
            throw ConfigError("early stopping and keeping the best checkpoint need a validation split, and this "
                              "dataset's is empty");
        if (opt_.memoryCheck)
            requireMemory();
        objective_ = trainingObjective(opt_, in_.model.model, source_);
    }

    // resumeFrom: a resumable checkpoint folder, or empty to start at step 0.
    TrainResult execute(const std::string& resumeFrom);

private:
    std::vector<Example> examples(const std::vector<Entry>& entries, const std::string& split);
    CollateOptions collateOptions() const
    {
        CollateOptions c;
        c.allowedMaxLength = std::min(opt_.maxLength, in_.model.config.contextLength);
        c.maskPrompt = opt_.maskPrompt;
        return c;
    }
    Gpt& model() { return in_.model.model; }
    int64_t stepsPerEpoch() const { return optimizerStepsPerEpoch(trainLoader_.numBatches(), opt_.gradAccumulation); }
    int64_t totalSteps() const;
    bool done() const { return step_ + 1 >= totalSteps() || earlyStopped_; }
    double elapsed() const { return elapsedBefore_ + secondsSince(start_); }
    void writeRunJson(const std::string& status, const TrainResult& result) const;
    void requireMemory() const;
    void prepareModel();
    void restore(const std::string& checkpoint);
    void trainEpochs();
    void step();
    void afterStep();
    void evaluate();
    void sample(int64_t epoch);
    TrainingState state() const;
    void saveModel(const std::string& folder, bool withMerged);
    std::string saveResumable(const std::string& name);
    void saveBest(const EvalPoint& point);

    TrainInputs& in_;
    TrainOptions opt_;
    RunDirectory dir_;
    TrainObserver& observer_;
    const JobControl* job_;
    std::string source_;
    PromptTemplate template_;
    Split split_;
    DataLoader trainLoader_;
    DataLoader valLoader_;
    LrSchedule schedule_;
    EarlyStopping earlyStopping_;
    Precision precision_;
    CheckpointFolders folders_;
    std::unique_ptr<Objective> objective_;
    std::unique_ptr<torch::optim::AdamW> optimizer_;
    std::vector<torch::Tensor> trainable_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    double elapsedBefore_ = 0;
    int64_t step_ = -1;
    int64_t tokensSeen_ = 0;
    // The next micro-batch: index nextBatch_ of epoch epoch_'s order. Epoch 0 "finished" before
    // the first, so that every epoch's order is drawn when it starts and a checkpoint taken at
    // any point says unambiguously whether the current order has been drawn.
    int64_t epoch_ = 0;
    int64_t nextBatch_ = 0;
    bool earlyStopped_ = false;
    std::string started_;
};

// DPO entries whose prompt fills the max length keep no answer token to compare (the notebook
// would divide by zero): they are left out and counted in a message.
std::vector<Example> Run::examples(const std::vector<Entry>& entries, const std::string& split)
{
    if (!opt_.isDpo())
        return tokenizeEntries(entries, template_, in_.tokenizer);
    for (const Entry& e : entries)
        if (!e.hasPreference)
            throw ConfigError(in_.dataset.path + ": entry " + std::to_string(e.index) + " has no 'chosen' and "
                              "'rejected' answers; DPO needs preference data");
    std::vector<Example> all = tokenizePreferences(entries, template_, in_.tokenizer);
    const int64_t bound = collateOptions().allowedMaxLength;
    if (const size_t dropped = dropPairsWithoutAnswer(all, bound))
        observer_.onMessage(std::to_string(dropped) + " " + split + " entries left out: their prompt fills the max "
                            "length of " + std::to_string(bound) + " tokens and leaves no answer token to compare");
    return all;
}

int64_t Run::totalSteps() const
{
    const int64_t all = opt_.epochs * stepsPerEpoch();
    return opt_.maxSteps > 0 ? std::min(all, opt_.maxSteps) : all;
}

void Run::writeRunJson(const std::string& status, const TrainResult& result) const
{
    nlohmann::json run = {{"status", status},
                          {"started", started_},
                          {"updated", timestamp()},
                          {"model", {{"source", source_}, {"config", in_.model.config.toHfJson()}}},
                          {"dataset",
                           {{"path", in_.dataset.path},
                            {"sha256", in_.dataset.sha256},
                            {"entries", in_.dataset.entries.size()},
                            {"skipped", in_.dataset.skipped.size()},
                            {"split", {{"train", split_.train.size()}, {"val", split_.val.size()}, {"test", split_.test.size()}}}}},
                          {"options", opt_.toJson()},
                          {"method", opt_.method},
                          {"precision", precisionName(precision_)},
                          {"parameters", {{"trainable", trainableParameterCount(in_.model.model)},
                                          {"total", totalParameterCount(in_.model.model)}}},
                          {"steps_done", step_ + 1},
                          {"total_steps", totalSteps()},
                          {"steps_per_epoch", stepsPerEpoch()},
                          {"tokens_seen", tokensSeen_},
                          {"elapsed_seconds", elapsed()},
                          {"environment", environmentInfo()}};
    // Who runs it, so that a reader can tell a live run from a killed one.
    if (status == "running")
        run["process"] = thisProcess();
    if (opt_.isDpo())
        run["dpo"] = {{"beta", opt_.dpoBeta},
                      {"reference", opt_.referenceIsBaseModel() ? source_ + " (without the LoRA adapters)"
                                                                : opt_.reference.value_or(source_)}};
    if (!result.error.empty())
        run["error"] = result.error;
    if (!result.checkpoint.empty())
        run["checkpoint"] = result.checkpoint;
    if (result.earlyStopped)
        run["early_stopped"] = true;
    dir_.writeRunJson(run);
}

// The model is loaded already, so its weights count as available: the estimate includes them.
// A DPO reference model of its own is not loaded yet: its weights are needed on top.
void Run::requireMemory() const
{
    int64_t held = 0;
    for (const auto& p : in_.model.model->parameters())
        held += p.numel() * int64_t(p.element_size());
    const MethodMemory method = methodMemory(opt_, in_.model.config);
    const std::string shortfall =
        trainingMemoryShortfall(in_.model.config, QFileInfo(QString::fromStdString(source_)).fileName().toStdString(),
                                method.rowsPerBatch, trainLoader_.longestBatch(), opt_.lora ? &*opt_.lora : nullptr,
                                availableMemoryBytes() + held - method.referenceBytes);
    if (!shortfall.empty())
        throw ConfigError(shortfall + " (To start anyway, turn the memory check off.)");
}

void Run::prepareModel()
{
    TrainingSetup setup = prepareForTraining(model(), opt_);
    optimizer_ = std::move(setup.optimizer);
    trainable_ = std::move(setup.trainable);
}

void Run::restore(const std::string& checkpoint)
{
    const TrainingState s = readTrainingState(checkpoint);
    restoreResumeState(checkpoint, *optimizer_, trainLoader_);
    step_ = s.stepsDone - 1;
    epoch_ = s.epoch;
    nextBatch_ = s.nextBatch;
    tokensSeen_ = s.tokensSeen;
    elapsedBefore_ = s.elapsedSeconds;
    earlyStopping_.restore(s.earlyStopping);
}

// One optimizer step over up to gradAccumulation micro-batches.
void Run::step()
{
    const auto stepStart = std::chrono::steady_clock::now();
    const int64_t count = std::min(opt_.gradAccumulation, trainLoader_.numBatches() - nextBatch_);
    std::vector<Batch> microBatches;
    int64_t tokens = 0;
    for (int64_t i = 0; i < count; ++i) {
        microBatches.push_back(trainLoader_.batch(nextBatch_ + i));
        tokens += microBatches.back().tokensSeen();
    }
    optimizer_->zero_grad();
    const LossReport loss = objective_->backward(model(), microBatches, precision_);
    const double lr = schedule_.at(step_ + 1);
    setLearningRate(*optimizer_, lr);
    const double gradNorm = clipGradients(trainable_, opt_.maxGradNorm);
    optimizer_->step();
    tokensSeen_ += tokens;
    nextBatch_ += count;
    ++step_;
    StepPoint point{epoch_, step_, totalSteps(), tokensSeen_, loss.loss, 0, lr, gradNorm, loss.rewards};
    point.tokensPerSecond = double(tokens) / std::max(1e-9, secondsSince(stepStart));
    dir_.appendStep(stepPointToJson(point));
    observer_.onStep(point);
}

void Run::afterStep()
{
    if (step_ % opt_.evalFreq == 0)
        evaluate();
    if (opt_.saveEvery > 0 && (step_ + 1) % opt_.saveEvery == 0) {
        saveResumable(CheckpointFolders::stepName(step_ + 1));
        folders_.prune(opt_.keepLast);
    }
}

void Run::evaluate()
{
    // The chapter iterates train_loader afresh for the train-loss estimate: a new order drawn
    // from the same generator (a DataLoader copy shares it), the training order untouched; then
    // val_loader, whose iterator draws a base seed from that generator too (an empty one is
    // never iterated). So the batches of every evaluation and epoch are the chapter's.
    DataLoader trainSample = trainLoader_;
    trainSample.startEpoch();
    EvalPoint point;
    point.epoch = epoch_;
    point.step = step_;
    point.tokensSeen = tokensSeen_;
    {
        AutocastScope autocast(precision_, onCuda(model()));
        const LossReport train = objective_->estimate(model(), trainSample, opt_.evalIter);
        if (valLoader_.numBatches() > 0)
            valLoader_.startEpoch();
        const LossReport val = objective_->estimate(model(), valLoader_, opt_.evalIter);
        point.trainLoss = train.loss;
        point.trainRewards = train.rewards;
        point.valLoss = val.loss;
        point.valRewards = val.rewards;
    }
    point.elapsedSeconds = elapsed();
    dir_.appendMetrics(evalPointToJson(point));
    observer_.onEvaluation(point);
    if (earlyStopping_.observe(point.valLoss, step_) && opt_.keepBest)
        saveBest(point);
    if (earlyStopping_.shouldStop()) {
        earlyStopped_ = true;
        observer_.onMessage("early stopping: no validation loss lower than " + std::to_string(earlyStopping_.bestLoss()) +
                            " (step " + std::to_string(earlyStopping_.bestStep()) + ") in " +
                            std::to_string(opt_.earlyStoppingPatience) + " evaluations");
    }
}

// The chapter's generate_and_print_sample: greedy, no end-of-text stop, newlines as spaces.
void Run::sample(int64_t epoch)
{
    const std::vector<Entry>& from = !split_.val.empty() ? split_.val : split_.train;
    if (opt_.sampleTokens == 0 || from.empty())
        return;
    const std::vector<int> promptIds = in_.tokenizer.encode(template_.prompt(from.front()));
    std::vector<int64_t> prompt(promptIds.begin(), promptIds.end());
    GenerationOptions gen;
    gen.maxNewTokens = opt_.sampleTokens;
    gen.eosId = -1;
    const std::vector<int64_t> added = generate(model(), {prompt}, gen).front();
    std::vector<int> all(promptIds);
    all.insert(all.end(), added.begin(), added.end());
    std::string text = in_.tokenizer.decode(all);
    std::replace(text.begin(), text.end(), '\n', ' ');
    observer_.onSample(epoch, text);
}

TrainingState Run::state() const
{
    TrainingState s;
    s.stepsDone = step_ + 1;
    s.epoch = epoch_;
    s.nextBatch = nextBatch_;
    s.tokensSeen = tokensSeen_;
    s.elapsedSeconds = elapsed();
    s.earlyStopping = earlyStopping_.toJson();
    return s;
}

// A LoRA run saves its adapters alone (a few MB, loadable onto the base model) and, when
// asked, the merged model beside them, so that final and best load in any GPT-2 reader.
void Run::saveModel(const std::string& folder, bool withMerged)
{
    if (!hasLora(model())) {
        saveModelFolder(folder, model(), &in_.tokenizer);
        return;
    }
    saveLoraAdapters(folder, model(), QFileInfo(QString::fromStdString(source_)).absoluteFilePath().toStdString());
    if (withMerged && opt_.loraMerged)
        saveModelFolder(folder, model(), &in_.tokenizer);
    else
        in_.tokenizer.save(folder);
}

std::string Run::saveResumable(const std::string& name)
{
    const TrainingState now = state();
    return folders_.publish(name, [&](const std::string& folder) {
        saveModel(folder, name == "final");
        writeResumeState(folder, *optimizer_, trainLoader_, now);
    });
}

void Run::saveBest(const EvalPoint& point)
{
    folders_.publish("best", [&](const std::string& folder) {
        saveModel(folder, true);
        writeFileAtomic(folder + "/best.json", nlohmann::json{{"step", point.step}, {"val_loss", point.valLoss}}.dump(2) + "\n");
    });
}

void Run::trainEpochs()
{
    while (!done()) {
        if (nextBatch_ >= trainLoader_.numBatches()) {
            if (epoch_ >= opt_.epochs)
                return;
            ++epoch_;
            nextBatch_ = 0;
            trainLoader_.startEpoch();
        }
        while (nextBatch_ < trainLoader_.numBatches() && !done()) {
            if (job_)
                job_->checkpoint();
            step();
            afterStep();
        }
        sample(epoch_);
    }
}

TrainResult Run::execute(const std::string& resumeFrom)
{
    TrainResult result;
    torch::manual_seed(opt_.seed);
    prepareModel();
    nextBatch_ = trainLoader_.numBatches();
    if (!resumeFrom.empty())
        restore(resumeFrom);
    writeRunJson("running", result);
    try {
        trainEpochs();
    } catch (const Cancelled&) {
        result.stopped = true;
    } catch (const std::exception& e) {
        // Recorded, so that the runs list says why; the steps done until then stay resumable
        // from the last periodic checkpoint.
        result.error = e.what();
        result.steps = step_ + 1;
        writeRunJson("failed", result);
        throw;
    }
    result.steps = step_ + 1;
    result.earlyStopped = earlyStopped_;
    const std::string name = result.stopped ? CheckpointFolders::stepName(step_ + 1) : "final";
    // A stop right after a periodic checkpoint finds this very state saved already.
    const bool saved = result.stopped && hasResumeState(folders_.path(name));
    result.checkpoint = saved ? folders_.path(name) : saveResumable(name);
    writeRunJson(result.stopped ? "stopped" : "finished", result);
    return result;
}

} // namespace

TrainResult train(TrainInputs& inputs, const TrainOptions& options, const std::string& runDir,
                  TrainObserver& observer, const JobControl* job)
{
    options.validate();
    const bool newFolder = !QFileInfo::exists(QString::fromStdString(runDir));
    RunDirectory dir = RunDirectory::create(runDir);
    const std::string source = QFileInfo(QString::fromStdString(inputs.model.folder)).absoluteFilePath().toStdString();
    std::unique_ptr<Run> run;
    try {
        run = std::make_unique<Run>(inputs, options, dir, observer, job, source, timestamp());
    } catch (...) {
        // Refused before the first step (too little data or memory, a reference model that cannot
        // be read): no run is left behind.
        if (newFolder)
            QDir(QString::fromStdString(runDir)).removeRecursively();
        throw;
    }
    inputs.tokenizer.save(dir.tokenizerPath());
    return run->execute({});
}

TrainResult resumeTraining(const std::string& runDir, int64_t moreEpochs, TrainObserver& observer,
                           const JobControl* job)
{
    const RunDirectory dir = RunDirectory::open(runDir);
    const nlohmann::json run = dir.readRunJson();
    TrainOptions options = TrainOptions::fromJson(run.value("options", nlohmann::json::object()));
    const CheckpointFolders folders(dir.checkpointsPath());
    folders.recover();
    std::string checkpoint = folders.latestResumable();
    if (run.value("status", std::string()) == "finished") {
        if (moreEpochs == 0)
            throw ConfigError(runDir + " has finished; give a number of more epochs to continue it");
        if (checkpoint.empty())
            throw ConfigError(runDir + " has finished but holds no resumable checkpoint (runs of earlier versions "
                              "do not); start a new run from its final model instead");
    }
    if (moreEpochs > 0) {
        options.epochs += moreEpochs;
        options.maxSteps = 0;
        options.validate();
    }
    const int64_t stepsDone = checkpoint.empty() ? 0 : readTrainingState(checkpoint).stepsDone;
    if (checkpoint == folders.path("final")) { // the extended run writes a new final
        const std::string name = CheckpointFolders::stepName(stepsDone);
        folders.rename("final", name);
        checkpoint = folders.path(name);
    }
    observer.onMessage(checkpoint.empty() ? "no checkpoint yet: starting " + runDir + " again from the beginning"
                                          : "resuming " + runDir + " from " + checkpoint);
    const int threads = run.value(nlohmann::json::json_pointer("/environment/threads"), 0);
    if (threads != 0 && threads != torch::get_num_threads())
        observer.onMessage("the run was trained with " + std::to_string(threads) + " threads and continues with " +
                           std::to_string(torch::get_num_threads()) + ": losses may differ in their last digits "
                           "from an uninterrupted run");
    dir.dropRowsFrom(stepsDone);
    TrainInputs inputs = loadRunInputs(dir, checkpoint);
    const std::string source = run.value(nlohmann::json::json_pointer("/model/source"), std::string());
    Run resumed(inputs, options, dir, observer, job, source, run.value("started", timestamp()));
    observer.onResumed(stepsDone, readStepPoints(runDir), readEvalPoints(runDir));
    return resumed.execute(checkpoint);
}

std::string formatEvalLine(const EvalPoint& p)
{
    char line[256];
    int n = std::snprintf(line, sizeof line, "Ep %lld (Step %06lld): Train loss %.3f, Val loss %.3f", (long long)p.epoch,
                          (long long)p.step, p.trainLoss, p.valLoss);
    if (p.trainRewards && p.valRewards)
        std::snprintf(line + n, sizeof line - size_t(n), ", Train reward margins %.3f, Val reward margins %.3f",
                      p.trainRewards->margin(), p.valRewards->margin());
    return line;
}

} // namespace sft
