#include "core/train/trainer.h"

#include "core/data/batcher.h"
#include "core/data/prompt_template.h"
#include "core/eval/generator.h"
#include "core/train/loss.h"
#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QDateTime>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace sft {

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string timestamp() { return QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString(); }

// Everything one run needs, built once before the first step.
class Run {
public:
    Run(TrainInputs& inputs, const TrainOptions& options, const std::string& dir, TrainObserver& observer,
        const JobControl* job)
        : in_(inputs), opt_(options), dir_(RunDirectory::create(dir)), observer_(observer), job_(job),
          template_(PromptTemplate::byName(options.templateName)), split_(splitDataset(inputs.dataset.entries)),
          trainLoader_(examples(split_.train), opt_.batchSize, opt_.shuffle, true, opt_.seed, collateOptions()),
          valLoader_(examples(split_.val), opt_.batchSize, false, false, opt_.seed, collateOptions())
    {
        if (trainLoader_.numBatches() == 0)
            throw ConfigError("the training split has " + std::to_string(split_.train.size()) +
                              " entries, fewer than one batch of " + std::to_string(opt_.batchSize) +
                              "; use a smaller --batch-size or more data");
    }

    TrainResult execute();

private:
    std::vector<Example> examples(const std::vector<Entry>& entries) const
    {
        return tokenizeEntries(entries, template_, in_.tokenizer);
    }
    CollateOptions collateOptions() const
    {
        CollateOptions c;
        c.allowedMaxLength = std::min(opt_.maxLength, in_.model.config.contextLength);
        return c;
    }
    int64_t totalSteps() const;
    void writeRunJson(const std::string& status, const TrainResult& result) const;
    void step(int64_t epoch, int64_t batchIndex, torch::optim::Optimizer& optimizer);
    void evaluate(int64_t epoch);
    void sample(int64_t epoch);
    std::string saveCheckpoint(const std::string& name);

    TrainInputs& in_;
    TrainOptions opt_;
    RunDirectory dir_;
    TrainObserver& observer_;
    const JobControl* job_;
    PromptTemplate template_;
    Split split_;
    DataLoader trainLoader_;
    DataLoader valLoader_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    int64_t step_ = -1;
    int64_t tokensSeen_ = 0;
    std::string started_ = timestamp();
};

int64_t Run::totalSteps() const
{
    const int64_t all = opt_.epochs * trainLoader_.numBatches();
    return opt_.maxSteps > 0 ? std::min(all, opt_.maxSteps) : all;
}

void Run::writeRunJson(const std::string& status, const TrainResult& result) const
{
    nlohmann::json run = {{"status", status},
                          {"started", started_},
                          {"updated", timestamp()},
                          {"model", {{"source", in_.model.folder}, {"config", in_.model.config.toHfJson()}}},
                          {"dataset",
                           {{"path", in_.dataset.path},
                            {"sha256", in_.dataset.sha256},
                            {"entries", in_.dataset.entries.size()},
                            {"skipped", in_.dataset.skipped.size()},
                            {"split", {{"train", split_.train.size()}, {"val", split_.val.size()}, {"test", split_.test.size()}}}}},
                          {"options", opt_.toJson()},
                          {"steps_done", result.steps},
                          {"tokens_seen", tokensSeen_},
                          {"environment", environmentInfo()}};
    if (!result.checkpoint.empty())
        run["checkpoint"] = result.checkpoint;
    dir_.writeRunJson(run);
}

void Run::step(int64_t epoch, int64_t batchIndex, torch::optim::Optimizer& optimizer)
{
    const auto stepStart = std::chrono::steady_clock::now();
    const Batch batch = trainLoader_.batch(batchIndex);
    optimizer.zero_grad();
    const torch::Tensor loss = batchLoss(in_.model.model, batch, opt_.headOnCountedTargets);
    loss.backward();
    optimizer.step();
    tokensSeen_ += batch.inputs.numel();
    ++step_;
    StepPoint point{epoch, step_, totalSteps(), tokensSeen_, loss.item<double>(), 0};
    point.tokensPerSecond = double(batch.inputs.numel()) / std::max(1e-9, secondsSince(stepStart));
    observer_.onStep(point);
}

void Run::evaluate(int64_t epoch)
{
    // The chapter iterates train_loader afresh for the train-loss estimate: a new order drawn
    // from the same generator (a DataLoader copy shares it), the training order untouched.
    // So the batches of every epoch, not only the first, are the chapter's for the same seed.
    DataLoader trainSample = trainLoader_;
    trainSample.startEpoch();
    EvalPoint point;
    point.epoch = epoch;
    point.step = step_;
    point.tokensSeen = tokensSeen_;
    point.trainLoss = meanLoss(in_.model.model, trainSample, opt_.evalIter, opt_.headOnCountedTargets);
    point.valLoss = meanLoss(in_.model.model, valLoader_, opt_.evalIter, opt_.headOnCountedTargets);
    point.elapsedSeconds = secondsSince(start_);
    dir_.appendMetrics(evalPointToJson(point));
    observer_.onEvaluation(point);
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
    const std::vector<int64_t> added = generate(in_.model.model, {prompt}, gen).front();
    std::vector<int> all(promptIds);
    all.insert(all.end(), added.begin(), added.end());
    std::string text = in_.tokenizer.decode(all);
    std::replace(text.begin(), text.end(), '\n', ' ');
    observer_.onSample(epoch, text);
}

std::string Run::saveCheckpoint(const std::string& name)
{
    const std::string path = dir_.checkpointPath(name);
    saveModelFolder(path, in_.model.model, &in_.tokenizer);
    return path;
}

TrainResult Run::execute()
{
    TrainResult result;
    writeRunJson("running", result);
    torch::manual_seed(opt_.seed);
    auto& model = in_.model.model;
    model->train();
    torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(opt_.learningRate)
                                                          .betas({opt_.beta1, opt_.beta2})
                                                          .eps(opt_.adamEps)
                                                          .weight_decay(opt_.weightDecay));
    try {
        for (int64_t epoch = 1; epoch <= opt_.epochs && step_ + 1 < totalSteps(); ++epoch) {
            trainLoader_.startEpoch();
            for (int64_t b = 0; b < trainLoader_.numBatches() && step_ + 1 < totalSteps(); ++b) {
                if (job_)
                    job_->checkpoint();
                step(epoch, b, optimizer);
                if (step_ % opt_.evalFreq == 0)
                    evaluate(epoch);
            }
            sample(epoch);
        }
    } catch (const Cancelled&) {
        result.stopped = true;
    }
    result.steps = step_ + 1;
    char name[32];
    std::snprintf(name, sizeof name, "step-%06lld", (long long)(step_ + 1));
    result.checkpoint = saveCheckpoint(result.stopped ? name : "final");
    writeRunJson(result.stopped ? "stopped" : "finished", result);
    return result;
}

} // namespace

TrainResult train(TrainInputs& inputs, const TrainOptions& options, const std::string& runDir,
                  TrainObserver& observer, const JobControl* job)
{
    options.validate();
    Run run(inputs, options, runDir, observer, job);
    return run.execute();
}

std::string formatEvalLine(const EvalPoint& p)
{
    char line[128];
    std::snprintf(line, sizeof line, "Ep %lld (Step %06lld): Train loss %.3f, Val loss %.3f", (long long)p.epoch,
                  (long long)p.step, p.trainLoss, p.valLoss);
    return line;
}

} // namespace sft
