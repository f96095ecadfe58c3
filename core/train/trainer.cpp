#include "core/train/trainer.h"

#include "core/data/batcher.h"
#include "core/data/prompt_template.h"
#include "core/dist/gradient_sync.h"
#include "core/dist/process_group.h"
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
#include <thread>

namespace sft {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string timestamp() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString(); }

// The numbers of a loss report that add up over the ranks of a data-parallel run, and back.
void appendSummands(std::vector<double>& to, const LossReport& r)
{
    to.insert(to.end(), {r.loss, r.rewards ? r.rewards->chosen : 0, r.rewards ? r.rewards->rejected : 0});
}
void takeSums(LossReport& r, const double* sums)
{
    r.loss = sums[0];
    if (r.rewards)
        r.rewards = Rewards{sums[1], sums[2]};
}

bool onCuda(Gpt& model) { return model->parameters().front().is_cuda(); }

// Everything one run needs, built once before the first step.
class Run {
public:
    // source: the model the run started from (a resumed run's inputs hold a checkpoint's).
    // group: the processes of a data-parallel run, each computing its share of every batch;
    // nullptr for a run in this process alone.
    Run(TrainInputs& inputs, const TrainOptions& options, RunDirectory dir, TrainObserver& observer,
        const JobControl* job, std::string source, std::string started, ProcessGroup* group = nullptr)
        : in_(inputs), opt_(options), dir_(std::move(dir)), observer_(observer), job_(job), group_(group),
          source_(std::move(source)),
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
    // Rank 0 alone writes the run folder; the other ranks compute and keep only a log.
    bool writes() const { return !group_ || group_->leader(); }
    RowShard shard() const { return group_ ? RowShard{group_->rank(), group_->size()} : RowShard{}; }
    void joinWeights();
    void stopIfAsked();
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
    LossReport trainLossEstimate();
    LossReport summedOverRanks(LossReport part) const;
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
    ProcessGroup* group_;
    std::unique_ptr<GradientSync> sync_;
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
    StepLossMean sinceEvaluation_;
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
    if (!writes())
        return;
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
    if (group_) {
        nlohmann::json ranks = nlohmann::json::array();
        for (const RankInfo& r : group_->ranks())
            ranks.push_back({{"rank", r.rank}, {"host", r.host}, {"pid", r.pid}});
        run["distributed"] = {{"world_size", group_->size()},
                              {"backend", "gloo"},
                              {"ranks", ranks},
                              {"allreduce_bytes_per_step", sync_ ? sync_->bytesPerStep() : 0}};
    }
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
    // A rank computes its share of the rows, and shares the machine's memory with the ranks beside it.
    int64_t rows = method.rowsPerBatch, neighbours = 1;
    if (group_) {
        rows = (rows + group_->size() - 1) / group_->size();
        const std::string& here = group_->ranks().at(size_t(group_->rank())).host;
        neighbours = std::count_if(group_->ranks().begin(), group_->ranks().end(),
                                   [&](const RankInfo& r) { return r.host == here; });
    }
    const std::string shortfall =
        trainingMemoryShortfall(in_.model.config, QFileInfo(QString::fromStdString(source_)).fileName().toStdString(),
                                rows, trainLoader_.longestBatch(), opt_.lora ? &*opt_.lora : nullptr,
                                (availableMemoryBytes() + held) / neighbours - method.referenceBytes);
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
    sinceEvaluation_ = s.sinceEvaluation;
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
    clearGradients(trainable_);
    LossReport loss = objective_->backward(model(), microBatches, precision_, shard());
    if (sync_) {
        std::vector<double> parts;
        appendSummands(parts, loss);
        sync_->sum(parts);
        takeSums(loss, parts.data());
    }
    const double lr = schedule_.at(step_ + 1);
    setLearningRate(*optimizer_, lr);
    const double gradNorm = clipAndStep(*optimizer_, trainable_, opt_.maxGradNorm);
    tokensSeen_ += tokens;
    nextBatch_ += count;
    ++step_;
    sinceEvaluation_.add(loss.loss, loss.rewards);
    StepPoint point{epoch_, step_, totalSteps(), tokensSeen_, loss.loss, 0, lr, gradNorm, loss.rewards};
    point.tokensPerSecond = double(tokens) / std::max(1e-9, secondsSince(stepStart));
    if (sync_)
        point.syncSeconds = sync_->lastSeconds();
    if (writes())
        dir_.appendStep(stepPointToJson(point));
    observer_.onStep(point);
}

void Run::afterStep()
{
    if (step_ % opt_.evalFreq == 0)
        evaluate();
    if (opt_.saveEvery > 0 && (step_ + 1) % opt_.saveEvery == 0 && writes()) {
        saveResumable(CheckpointFolders::stepName(step_ + 1));
        folders_.prune(opt_.keepLast);
    }
}

void Run::evaluate()
{
    EvalPoint point;
    point.epoch = epoch_;
    point.step = step_;
    point.tokensSeen = tokensSeen_;
    LossReport train = trainLossEstimate(), val;
    {
        AutocastScope autocast(precision_, onCuda(model()));
        // val_loader's iterator draws a base seed from the shared generator (an empty one is
        // never iterated), after the chapter's train-loss estimate drew its order.
        if (valLoader_.numBatches() > 0)
            valLoader_.startEpoch();
        val = summedOverRanks(objective_->estimate(model(), valLoader_, opt_.evalIter, shard()));
    }
    point.trainLoss = train.loss;
    point.trainRewards = train.rewards;
    point.valLoss = val.loss;
    point.valRewards = val.rewards;
    point.elapsedSeconds = elapsed();
    if (writes())
        dir_.appendMetrics(evalPointToJson(point));
    observer_.onEvaluation(point);
    if (earlyStopping_.observe(point.valLoss, step_) && opt_.keepBest && writes())
        saveBest(point);
    if (earlyStopping_.shouldStop()) {
        earlyStopped_ = true;
        observer_.onMessage("early stopping: no validation loss lower than " + std::to_string(earlyStopping_.bestLoss()) +
                            " (step " + std::to_string(earlyStopping_.bestStep()) + ") in " +
                            std::to_string(opt_.earlyStoppingPatience) + " evaluations");
    }
}

// The mean of the steps since the last evaluation; or the chapter's estimate, which iterates
// train_loader afresh: a new order drawn from the same generator (a DataLoader copy shares it),
// the training order untouched, so the batches of every evaluation and epoch are the chapter's.
// A run resumed from a checkpoint older than the mean has no steps to average: the estimate.
LossReport Run::trainLossEstimate()
{
    if (opt_.trainLoss == "steps" && sinceEvaluation_.steps > 0) {
        const LossReport mean{sinceEvaluation_.loss(), sinceEvaluation_.rewards()};
        sinceEvaluation_ = {};
        return mean;
    }
    sinceEvaluation_ = {};
    DataLoader trainSample = trainLoader_;
    trainSample.startEpoch();
    AutocastScope autocast(precision_, onCuda(model()));
    return summedOverRanks(objective_->estimate(model(), trainSample, opt_.evalIter, shard()));
}

// A rank's share of an evaluation, summed with the others' into the whole (the step losses
// the mean is made of are already the whole batch's).
LossReport Run::summedOverRanks(LossReport part) const
{
    if (!group_)
        return part;
    std::vector<double> parts;
    appendSummands(parts, part);
    group_->sum(parts);
    takeSums(part, parts.data());
    return part;
}

// The chapter's generate_and_print_sample: greedy, no end-of-text stop, newlines as spaces.
void Run::sample(int64_t epoch)
{
    const std::vector<Entry>& from = !split_.val.empty() ? split_.val : split_.train;
    if (opt_.sampleTokens == 0 || from.empty() || !writes())
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
    s.sinceEvaluation = sinceEvaluation_;
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
            stopIfAsked();
            step();
            afterStep();
        }
        sample(epoch_);
    }
}

// Every rank starts from rank 0's weights (LoRA's random adapters included) and checks, by a
// hash of the weights and optimizer state, that it holds exactly what rank 0 holds.
void Run::joinWeights()
{
    if (!group_)
        return;
    group_->broadcastFromLeader(trainable_);
    std::vector<at::Tensor> held = model()->parameters();
    for (const at::Tensor& p : trainable_) {
        const auto found = optimizer_->state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
        if (found == optimizer_->state().end())
            continue;
        const auto& adam = static_cast<const torch::optim::AdamWParamState&>(*found->second);
        held.push_back(adam.exp_avg());
        held.push_back(adam.exp_avg_sq());
    }
    group_->requireSame(contentHash(held), "weights and optimizer state");
    sync_ = std::make_unique<GradientSync>(*group_, trainable_);
}

// Between steps. Alone: pause and stop as the JobControl says. With other ranks, a stop asked on
// any of them is agreed on, so that all stop after the same step (pausing one would only make
// the others wait into their timeout, so a distributed run does not pause).
void Run::stopIfAsked()
{
    if (!group_) {
        if (job_)
            job_->checkpoint();
        return;
    }
    if (group_->any(job_ && job_->cancelRequested()))
        throw Cancelled();
}

TrainResult Run::execute(const std::string& resumeFrom)
{
    TrainResult result;
    torch::manual_seed(opt_.seed);
    prepareModel();
    nextBatch_ = trainLoader_.numBatches();
    if (!resumeFrom.empty())
        restore(resumeFrom);
    joinWeights();
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
    const bool saved = !writes() || (result.stopped && hasResumeState(folders_.path(name)));
    result.checkpoint = saved ? folders_.path(name) : saveResumable(name);
    writeRunJson(result.stopped ? "stopped" : "finished", result);
    return result;
}

} // namespace

namespace {

// Joins the other ranks of a distributed run before anything is written: a rank given other
// settings, data, weights or checkpoint, or started with another world size, is refused here.
std::unique_ptr<ProcessGroup> joinRanks(const LaunchEnvironment* launch, const TrainOptions& options,
                                        TrainInputs& inputs, int64_t stepsDone)
{
    if (!launch)
        return nullptr;
    if (options.batchSize % launch->worldSize != 0)
        throw ConfigError("the batch size (" + std::to_string(options.batchSize) + ") must divide by WORLD_SIZE (" +
                          std::to_string(launch->worldSize) + "): every rank computes an equal share of each batch");
    char weights[17];
    std::snprintf(weights, sizeof weights, "%016llx",
                  (unsigned long long)contentHash(inputs.model.model->parameters()));
    // The precision as resolved here: "auto" picks bf16 only on CPUs that have it, and machines differ.
    const Precision precision = resolvePrecision(options.precision, onCuda(inputs.model.model));
    const nlohmann::json fingerprint = {{"settings", options.computationJson()},
                                        {"precision", precisionName(precision)},
                                        {"dataset", inputs.dataset.sha256},
                                        {"model weights", weights},
                                        {"checkpoint (steps done)", stepsDone}};
    return ProcessGroup::join(*launch, std::chrono::milliseconds(int64_t(options.distTimeout * 1000)), fingerprint);
}

// A distributed run records how many processes ran on each machine, not what it was asked for.
TrainOptions asLaunched(TrainOptions options, const LaunchEnvironment* launch)
{
    if (launch)
        options.processes = launch->localWorldSize;
    return options;
}

} // namespace

TrainResult train(TrainInputs& inputs, const TrainOptions& requested, const std::string& runDir,
                  TrainObserver& observer, const JobControl* job, const LaunchEnvironment* launch)
{
    requested.validate();
    const TrainOptions options = asLaunched(requested, launch);
    const std::string source = QFileInfo(QString::fromStdString(inputs.model.folder)).absoluteFilePath().toStdString();
    if (launch && launch->rank != 0) {
        const std::unique_ptr<ProcessGroup> group = joinRanks(launch, options, inputs, 0);
        Run run(inputs, options, RunDirectory::writtenElsewhere(runDir), observer, job, source, timestamp(), group.get());
        return run.execute({});
    }
    const bool newFolder = !QFileInfo::exists(QString::fromStdString(runDir));
    RunDirectory dir = RunDirectory::create(runDir);
    std::unique_ptr<ProcessGroup> group;
    std::unique_ptr<Run> run;
    try {
        group = joinRanks(launch, options, inputs, 0);
        run = std::make_unique<Run>(inputs, options, dir, observer, job, source, timestamp(), group.get());
    } catch (...) {
        // Refused before the first step (too little data or memory, a reference model that cannot
        // be read, ranks that disagree): no run is left behind.
        if (newFolder)
            QDir(QString::fromStdString(runDir)).removeRecursively();
        throw;
    }
    inputs.tokenizer.save(dir.tokenizerPath());
    return run->execute({});
}

namespace {

// The other ranks of a resumed run wait for rank 0 to rename a finished run's final checkpoint
// (it does so before it joins them), and then read the renamed folder.
void waitForFolder(const std::string& folder, double seconds)
{
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(int64_t(seconds * 1000));
    while (!hasResumeState(folder)) {
        if (std::chrono::steady_clock::now() > until)
            throw DistributedError("rank 0 did not prepare " + folder + " to continue the run within " +
                                   std::to_string(int(seconds)) + " s");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

} // namespace

TrainResult resumeTraining(const std::string& runDir, int64_t moreEpochs, TrainObserver& observer,
                           const JobControl* job, const LaunchEnvironment* launch, double distTimeout)
{
    const bool leader = !launch || launch->rank == 0;
    const RunDirectory dir = RunDirectory::open(runDir);
    const nlohmann::json run = dir.readRunJson();
    TrainOptions options = TrainOptions::fromJson(run.value("options", nlohmann::json::object()));
    if (distTimeout > 0)
        options.distTimeout = distTimeout;
    options = asLaunched(options, launch);
    const CheckpointFolders folders(dir.checkpointsPath());
    if (leader)
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
        // A run that saved its last step and was killed before run.json said finished holds
        // that step's folder already, with final's state: it continues from that one.
        if (leader && !hasResumeState(folders.path(name)))
            folders.rename("final", name);
        else
            waitForFolder(folders.path(name), options.distTimeout);
        checkpoint = folders.path(name);
    }
    observer.onMessage(checkpoint.empty() ? "no checkpoint yet: starting " + runDir + " again from the beginning"
                                          : "resuming " + runDir + " from " + checkpoint);
    const int threads = run.value(nlohmann::json::json_pointer("/environment/threads"), 0);
    if (threads != 0 && threads != torch::get_num_threads())
        observer.onMessage("the run was trained with " + std::to_string(threads) + " threads and continues with " +
                           std::to_string(torch::get_num_threads()) + ": losses may differ in their last digits "
                           "from an uninterrupted run");
    TrainInputs inputs = loadRunInputs(dir, checkpoint);
    const std::unique_ptr<ProcessGroup> group = joinRanks(launch, options, inputs, stepsDone);
    if (leader)
        dir.dropRowsFrom(stepsDone);
    const std::string source = run.value(nlohmann::json::json_pointer("/model/source"), std::string());
    Run resumed(inputs, options, leader ? dir : RunDirectory::writtenElsewhere(runDir), observer, job, source,
                run.value("started", timestamp()), group.get());
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
