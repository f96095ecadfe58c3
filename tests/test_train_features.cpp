// The trainer's options beyond the chapter: learning rate schedules, gradient accumulation and
// clipping, prompt masking, early stopping, periodic and best checkpoints, bf16, dropout and
// weight-decay exclusions, LoRA, the memory check, and how they are recorded and checked (the
// `train` flags for them: test_cli_train_flags).

#include "core/data/batcher.h"
#include "core/data/prompt_template.h"
#include "core/io/lora_adapters.h"
#include "core/io/model_folder.h"
#include "core/model/lora.h"
#include "core/train/checkpoint_folders.h"
#include "core/train/early_stopping.h"
#include "core/train/gradient_accumulation.h"
#include "core/train/loss.h"
#include "core/train/lr_schedule.h"
#include "core/train/optimizer_setup.h"
#include "core/train/precision.h"
#include "core/train/resume_state.h"
#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"
#include "tests/support/train_fixture.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

using namespace sft;
using sft::test::Recorder;

namespace {

// A value of `s` in its range that is not its default.
nlohmann::json otherValue(const SettingInfo& s)
{
    const nlohmann::json& d = s.defaultValue;
    switch (s.kind) {
    case SettingKind::Integer:
        return d.get<int64_t>() < int64_t(s.max) ? d.get<int64_t>() + 1 : d.get<int64_t>() - 1;
    case SettingKind::Real: {
        const double middle = s.min + (std::min(s.max, 1e6) - s.min) / 3;
        return d.is_null() || d.get<double>() != middle ? middle : middle / 2;
    }
    case SettingKind::Text:
        return d.is_null() ? std::string("other") : d.get<std::string>() + "-other";
    case SettingKind::Choice:
        return s.choices.front() == d.get<std::string>() ? s.choices.back() : s.choices.front();
    case SettingKind::Switch:
        return !d.get<bool>();
    case SettingKind::List:
        return nlohmann::json::array({s.choices.back()});
    }
    return {};
}

} // namespace
using sft::test::tinyInputs;

namespace {

bool near(double a, double b, double relative = 1e-12)
{
    return std::abs(a - b) <= relative * std::max(std::abs(a), std::abs(b)) + 1e-300;
}

TrainOptions fewSteps(int64_t steps)
{
    TrainOptions o;
    o.maxSteps = steps;
    o.maxLength = 64; // short sequences: fast steps
    o.evalFreq = 1000;
    o.evalIter = 1;
    o.learningRate = 1e-3;
    o.sampleTokens = 0;
    // The references here are computed in fp32; `auto` would train in bf16 on CPUs that have it.
    o.precision = "fp32";
    return o;
}

// The trainer's first batch, built here the way the chapter builds it.
Batch firstTrainBatch(const TrainInputs& inputs, const TrainOptions& o)
{
    const Split split = splitDataset(inputs.dataset.entries);
    CollateOptions collate;
    collate.allowedMaxLength = std::min(o.maxLength, inputs.model.config.contextLength);
    collate.maskPrompt = o.maskPrompt;
    DataLoader loader(tokenizeEntries(split.train, PromptTemplate::byName(o.templateName), inputs.tokenizer),
                      o.batchSize, true, true, o.seed, collate);
    loader.startEpoch();
    return loader.batch(0);
}

std::vector<torch::Tensor> gradients(Gpt& model)
{
    std::vector<torch::Tensor> grads;
    for (const auto& p : model->parameters())
        grads.push_back(p.grad().clone());
    return grads;
}

// The first 120 entries of the chapter's dataset: 102 to train on, 6 to validate.
std::string slice;

TrainInputs sliceInputs() { return tinyInputs(7, slice); }

// The slice's model saved as a folder and loaded back, as the CLI and the GUI start a run.
TrainInputs baseFolderInputs(const QTemporaryDir& dir)
{
    TrainInputs inputs = sliceInputs();
    const std::string folder = dir.filePath("base").toStdString();
    saveModelFolder(folder, inputs.model.model, &inputs.tokenizer);
    inputs.model = loadModelFolder(folder);
    return inputs;
}

Recorder runTo(const QTemporaryDir& dir, const char* name, const TrainOptions& o, TrainResult* result = nullptr)
{
    TrainInputs inputs = sliceInputs();
    Recorder recorder;
    const TrainResult r = train(inputs, o, dir.filePath(name).toStdString(), recorder);
    if (result)
        *result = r;
    return recorder;
}

} // namespace

class TestTrainFeatures : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        torch::set_num_threads(2);
        slice = test::writeChapterSlice(tmp_.filePath("slice.json"), 120);
    }

    void scheduleValues()
    {
        TrainOptions o;
        o.learningRate = 1e-3;
        o.minLearningRate = 1e-4;
        o.warmupSteps = 10;
        o.lrSchedule = "cosine";
        const LrSchedule cosine(o, 110);
        QVERIFY(near(cosine.at(0), 1e-4));
        QVERIFY(near(cosine.at(4), 5e-4));
        QVERIFY(near(cosine.at(9), 1e-3));
        QVERIFY(near(cosine.at(10), 1e-3));
        QVERIFY(near(cosine.at(60), 5.5e-4));
        QVERIFY(near(cosine.at(109), 1e-4 + 9e-4 * 0.5 * (1 + std::cos(M_PI * 0.99))));
        QVERIFY(near(cosine.at(500), 1e-4));
        o.lrSchedule = "linear";
        const LrSchedule linear(o, 110);
        QVERIFY(near(linear.at(35), 7.75e-4));
        QVERIFY(near(linear.at(60), 5.5e-4));
        o.lrSchedule = "constant";
        QVERIFY(near(LrSchedule(o, 110).at(5), 6e-4));
        QVERIFY(near(LrSchedule(o, 110).at(50), 1e-3));
        o.warmupSteps = 0;
        QCOMPARE(LrSchedule(o, 110).at(0), 1e-3); // the chapter's
        o.warmupRatio = 0.1;
        QCOMPARE(LrSchedule(o, 110).warmupSteps(), int64_t(11));
        QVERIFY(near(LrSchedule(o, 110).at(0), 1e-3 / 11));
    }

    // Each step reports (and steps.jsonl records) the rate it used and the gradient norm,
    // the norm of step 0 recomputed here from the same model and batch.
    void stepsLogTheScheduleAndGradientNorm()
    {
        QTemporaryDir dir;
        TrainOptions o = fewSteps(5);
        o.lrSchedule = "cosine";
        o.warmupSteps = 2;
        const Recorder recorder = runTo(dir, "run", o);
        const double expected[] = {5e-4, 1e-3, 1e-3, 7.5e-4, 2.5e-4};
        QCOMPARE(int(recorder.steps.size()), 5);
        for (int i = 0; i < 5; ++i)
            QVERIFY2(near(recorder.steps[size_t(i)].learningRate, expected[i], 1e-9),
                     qPrintable(QString("step %1: lr %2").arg(i).arg(recorder.steps[size_t(i)].learningRate)));
        const std::vector<StepPoint> logged = readStepPoints(dir.filePath("run").toStdString());
        QCOMPARE(int(logged.size()), 5);
        for (size_t i = 0; i < logged.size(); ++i) {
            QCOMPARE(logged[i].step, int64_t(i));
            QCOMPARE(logged[i].loss, recorder.steps[i].loss);
            QCOMPARE(logged[i].learningRate, recorder.steps[i].learningRate);
            QCOMPARE(logged[i].gradNorm, recorder.steps[i].gradNorm);
        }

        TrainInputs fresh = sliceInputs();
        const torch::Tensor loss = batchLoss(fresh.model.model, firstTrainBatch(fresh, o));
        loss.backward();
        double squares = 0;
        for (const auto& p : fresh.model.model->parameters())
            squares += p.grad().pow(2).sum().item<double>();
        QCOMPARE(recorder.steps[0].loss, loss.item<double>());
        QVERIFY2(near(recorder.steps[0].gradNorm, std::sqrt(squares), 1e-5),
                 qPrintable(QString("%1 vs %2").arg(recorder.steps[0].gradNorm).arg(std::sqrt(squares))));
    }

    // Two micro-batches of 4 give the loss and gradients of one batch of 8: each micro-batch
    // weighted by its counted targets, not averaged as equals.
    void accumulationMatchesOneLargerBatch()
    {
        const TrainInputs inputs = sliceInputs();
        const std::vector<Entry> eight(inputs.dataset.entries.begin(), inputs.dataset.entries.begin() + 8);
        std::vector<Example> examples = tokenizeEntries(eight, PromptTemplate::alpaca(), inputs.tokenizer);
        // The 4 shortest, then the 4 longest: micro-batches with very different target counts.
        std::sort(examples.begin(), examples.end(), [](const Example& x, const Example& y) { return x.ids.size() < y.ids.size(); });
        std::vector<const Example*> all, first, second;
        for (size_t i = 0; i < examples.size(); ++i) {
            all.push_back(&examples[i]);
            (i < 4 ? first : second).push_back(&examples[i]);
        }
        Gpt model(test::tinyTrainConfig());
        model->initWeights(3);
        const double whole = accumulateGradients(model, {collate(all, {})}, true, Precision::Fp32);
        const std::vector<torch::Tensor> wholeGrads = gradients(model);
        model->zero_grad();
        const Batch a = collate(first, {}), b = collate(second, {});
        const double accumulated = accumulateGradients(model, {a, b}, true, Precision::Fp32);
        QVERIFY2(near(whole, accumulated, 1e-6), qPrintable(QString("%1 vs %2").arg(whole).arg(accumulated)));
        const std::vector<torch::Tensor> accumulatedGrads = gradients(model);
        for (size_t i = 0; i < wholeGrads.size(); ++i)
            QVERIFY2(torch::allclose(wholeGrads[i], accumulatedGrads[i], 1e-4, 1e-7), qPrintable(QString::number(i)));
        // Weighting the two micro-batches equally would not do.
        QVERIFY(b.targets.ne(-100).sum().item<int64_t>() > a.targets.ne(-100).sum().item<int64_t>() + 40);
        model->zero_grad();
        ((batchLoss(model, a) + batchLoss(model, b)) / 2).backward();
        QVERIFY(!torch::allclose(model->lm_head->weight.grad(), wholeGrads.back(), 1e-2, 1e-6));
    }

    // In a run: batch 4 x 2 micro-batches reports the loss of batch 8, and one step later
    // the two runs still agree; an epoch has ceil(batches / 2) steps.
    void accumulationInARun()
    {
        QTemporaryDir dir;
        TrainOptions accumulated = fewSteps(0);
        accumulated.epochs = 1;
        accumulated.batchSize = 4;
        accumulated.gradAccumulation = 2;
        TrainInputs inputs = sliceInputs();
        JobControl job;
        Recorder b;
        b.stopAfter = &job;
        b.stopStep = 1;
        train(inputs, accumulated, dir.filePath("accumulated").toStdString(), b, &job);
        const Recorder a = runTo(dir, "large", fewSteps(2));
        QVERIFY(near(a.steps[0].loss, b.steps[0].loss, 1e-6));
        QVERIFY(near(a.steps[1].loss, b.steps[1].loss, 1e-4));
        QCOMPARE(b.steps[0].totalSteps, int64_t(13)); // 102 entries: 25 micro-batches of 4, 13 steps
    }

    void clippingScalesToTheNormAndReportsTheNormBefore()
    {
        torch::Tensor p1 = torch::zeros({2}, torch::requires_grad()), p2 = torch::zeros({1}, torch::requires_grad());
        p1.mutable_grad() = torch::tensor({3.0f, 4.0f});
        p2.mutable_grad() = torch::tensor({12.0f});
        QVERIFY(near(clipGradients({p1, p2}, 0), 13.0, 1e-6));
        QCOMPARE(p1.grad()[1].item<float>(), 4.0f);
        QVERIFY(near(clipGradients({p1, p2}, 6.5), 13.0, 1e-6));
        QVERIFY(near(p1.grad()[0].item<double>(), 1.5, 1e-5));
        QVERIFY(near(p2.grad()[0].item<double>(), 6.0, 1e-5));
        QVERIFY(near(clipGradients({p1, p2}, 0), 6.5, 1e-5));
    }

    // A clipped run logs the unclipped norm and, from its second step on, trains differently.
    void clippingInARun()
    {
        QTemporaryDir dir;
        TrainOptions clipped = fewSteps(3);
        clipped.maxGradNorm = 0.05;
        const Recorder a = runTo(dir, "plain", fewSteps(3)), b = runTo(dir, "clipped", clipped);
        // Measured in the optimizer's pass in double (plain) and by clip_grad_norm_ in float (clipped).
        QVERIFY2(near(a.steps[0].gradNorm, b.steps[0].gradNorm, 1e-5),
                 qPrintable(QString("%1 vs %2").arg(a.steps[0].gradNorm, 0, 'g', 12).arg(b.steps[0].gradNorm, 0, 'g', 12)));
        QVERIFY(b.steps[0].gradNorm > 0.05);
        QCOMPARE(a.steps[0].loss, b.steps[0].loss);
        QVERIFY(a.steps[2].loss != b.steps[2].loss);
    }

    void maskingIgnoresExactlyThePromptTargets()
    {
        const TrainInputs inputs = sliceInputs();
        const Entry& entry = inputs.dataset.entries[0];
        QVERIFY(!entry.input.empty());
        const PromptTemplate alpaca = PromptTemplate::alpaca();
        const std::string prompt = alpaca.prompt(entry);
        QVERIFY(prompt.find(entry.instruction) != std::string::npos && prompt.find(entry.input) != std::string::npos);
        const std::vector<int> full = inputs.tokenizer.encode(alpaca.full(entry));
        const std::vector<Entry> entries{entry, inputs.dataset.entries[1]};
        int64_t promptTokens[2];
        for (size_t r = 0; r < 2; ++r)
            promptTokens[r] = int64_t(inputs.tokenizer.encode(alpaca.prompt(entries[r])).size());
        const std::vector<Example> examples = tokenizeEntries(entries, alpaca, inputs.tokenizer);
        CollateOptions masked;
        masked.maskPrompt = true;
        const Batch batch = collate({&examples[0], &examples[1]}, masked);
        const auto n = int64_t(full.size());
        for (int64_t t = 0; t < batch.targets.size(1); ++t) {
            const int64_t target = batch.targets[0][t].item<int64_t>();
            const int64_t expected = t < promptTokens[0] - 1 ? -100 : t < n - 1 ? full[size_t(t + 1)] : t == n - 1 ? 50256 : -100;
            QCOMPARE(target, expected);
        }

        // The loss is the mean over the response targets alone, computed here from the logits.
        Gpt model(test::tinyTrainConfig());
        model->initWeights(4);
        torch::NoGradGuard noGrad;
        const torch::Tensor logp = torch::log_softmax(model->forward(batch.inputs), -1);
        const Batch unmasked = collate({&examples[0], &examples[1]}, {});
        double sum = 0;
        int count = 0;
        for (int64_t r = 0; r < 2; ++r)
            for (int64_t t = promptTokens[r] - 1; t < unmasked.targets.size(1); ++t) {
                const int64_t target = unmasked.targets[r][t].item<int64_t>();
                if (target != -100) {
                    sum -= logp[r][t][target].item<double>();
                    ++count;
                }
            }
        QVERIFY(near(batchLoss(model, batch, false).item<double>(), sum / count, 1e-5));
        QVERIFY(near(batchLoss(model, batch, true).item<double>(), sum / count, 1e-5));
        QVERIFY(std::abs(batchLoss(model, unmasked).item<double>() - sum / count) > 1e-3);
    }

    // The option reaches the training loader: step 0's loss is that of the masked first batch.
    void maskingInARun()
    {
        QTemporaryDir dir;
        TrainOptions o = fewSteps(1);
        o.maskPrompt = true;
        const Recorder masked = runTo(dir, "masked", o);
        TrainInputs fresh = sliceInputs();
        torch::NoGradGuard noGrad;
        QCOMPARE(masked.steps[0].loss, batchLoss(fresh.model.model, firstTrainBatch(fresh, o)).item<double>());
        QVERIFY(masked.steps[0].loss != batchLoss(fresh.model.model, firstTrainBatch(fresh, fewSteps(1))).item<double>());
        QVERIFY(RunDirectory::open(dir.filePath("masked").toStdString()).readRunJson()["options"]["mask_prompt"] == true);
    }

    // Grouped batches are the loader's grouped order, and an epoch of them computes on fewer
    // (padding) tokens than the chapter's (on this 102-entry slice, truncated at 128 tokens,
    // by less than on the whole dataset: test_batcher's chapterPaddingFraction).
    void groupingByLengthInARun()
    {
        QTemporaryDir dir;
        TrainOptions o = fewSteps(12);
        o.maxLength = 128;
        o.evalIter = 1;
        const Recorder plain = runTo(dir, "plain", o);
        o.groupByLength = true;
        const Recorder grouped = runTo(dir, "grouped", o);
        QCOMPARE(grouped.steps.size(), plain.steps.size());
        QVERIFY2(grouped.steps.back().tokensSeen < plain.steps.back().tokensSeen * 9 / 10,
                 qPrintable(QString("%1 vs %2").arg(grouped.steps.back().tokensSeen).arg(plain.steps.back().tokensSeen)));

        TrainInputs fresh = sliceInputs();
        const Split split = splitDataset(fresh.dataset.entries);
        CollateOptions collate;
        collate.allowedMaxLength = o.maxLength;
        DataLoader loader(tokenizeEntries(split.train, PromptTemplate::alpaca(), fresh.tokenizer), o.batchSize, true,
                          true, o.seed, collate, true);
        loader.startEpoch();
        torch::NoGradGuard noGrad;
        QCOMPARE(grouped.steps[0].loss, batchLoss(fresh.model.model, loader.batch(0)).item<double>());
    }

    void earlyStoppingCountsEvaluationsWithoutImprovement()
    {
        EarlyStopping stopping(3, 0.1);
        QVERIFY(stopping.observe(3.0, 0));
        QVERIFY(stopping.observe(2.0, 5));
        QVERIFY(!stopping.observe(1.95, 10)); // lower, but not by more than 0.1
        QVERIFY(!stopping.observe(2.5, 15));
        QVERIFY(!stopping.shouldStop());
        QVERIFY(!stopping.observe(1.91, 20));
        QVERIFY(stopping.shouldStop());
        QCOMPARE(stopping.bestLoss(), 2.0);
        QCOMPARE(stopping.bestStep(), int64_t(5));
        EarlyStopping restored(3, 0.1);
        restored.restore(stopping.toJson());
        QVERIFY(restored.shouldStop());
        EarlyStopping never(0, 0);
        never.observe(1, 0);
        for (int i = 1; i < 10; ++i)
            never.observe(2, i);
        QVERIFY(!never.shouldStop());
        QVERIFY(!EarlyStopping(1, 0).observe(std::numeric_limits<double>::quiet_NaN(), 0));
    }

    // Patience 1 and an improvement nobody reaches: the run ends at its second evaluation.
    void earlyStoppingEndsTheRun()
    {
        QTemporaryDir dir;
        TrainOptions o = fewSteps(20);
        o.evalFreq = 2;
        o.earlyStoppingPatience = 1;
        o.earlyStoppingMinDelta = 100;
        TrainResult result;
        const Recorder recorder = runTo(dir, "run", o, &result);
        QVERIFY(result.earlyStopped && !result.stopped);
        QCOMPARE(result.steps, int64_t(3));
        QCOMPARE(int(recorder.evals.size()), 2);
        const nlohmann::json run = RunDirectory::open(dir.filePath("run").toStdString()).readRunJson();
        QVERIFY(run["status"] == "finished");
        QVERIFY(run["early_stopped"] == true);
        QVERIFY(isModelFolder(result.checkpoint));
        QVERIFY(result.checkpoint.find("final") != std::string::npos);
    }

    // Checkpoints every 2 steps, the last 2 kept, final and best beside them and nothing else;
    // best holds the model of the lowest validation loss.
    void checkpointsKeepLastAndBest()
    {
        QTemporaryDir dir;
        TrainOptions o = fewSteps(7);
        o.evalFreq = 2;
        o.saveEvery = 2;
        o.keepLast = 2;
        o.keepBest = true;
        runTo(dir, "run", o);
        const std::string runDir = dir.filePath("run").toStdString();
        const QStringList folders = QDir(dir.filePath("run/checkpoints"))
                                        .entryList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
        QCOMPARE(folders, QStringList({"best", "final", "step-000004", "step-000006"}));
        const CheckpointFolders checkpoints(RunDirectory::open(runDir).checkpointsPath());
        QCOMPARE(readTrainingState(checkpoints.path("step-000006")).stepsDone, int64_t(6));
        QVERIFY(!hasResumeState(checkpoints.path("best")));

        const std::vector<EvalPoint> evals = readEvalPoints(runDir);
        const auto best = std::min_element(evals.begin(), evals.end(),
                                           [](const EvalPoint& a, const EvalPoint& b) { return a.valLoss < b.valLoss; });
        const nlohmann::json bestJson = nlohmann::json::parse(readFile(checkpoints.path("best") + "/best.json"));
        QCOMPARE(bestJson["step"].get<int64_t>(), best->step);
        TrainInputs inputs = sliceInputs();
        LoadedModel bestModel = loadModelFolder(checkpoints.path("best"));
        const Split split = splitDataset(inputs.dataset.entries);
        CollateOptions collate;
        collate.allowedMaxLength = o.maxLength;
        const DataLoader val(tokenizeEntries(split.val, PromptTemplate::alpaca(), inputs.tokenizer), 8, false, false, 0, collate);
        QVERIFY(near(meanLoss(bestModel.model, val, 1), best->valLoss, 1e-6));
    }

    void optionsRoundTripAndExplainMistakes()
    {
        TrainOptions o;
        o.maskPrompt = true;
        o.lrSchedule = "linear";
        o.warmupRatio = 0.05;
        o.minLearningRate = 1e-6;
        o.gradAccumulation = 4;
        o.maxGradNorm = 1.0;
        o.earlyStoppingPatience = 3;
        o.earlyStoppingMinDelta = 0.01;
        o.keepBest = true;
        o.saveEvery = 50;
        o.keepLast = 5;
        o.precision = "bf16";
        o.dropout = 0.1;
        o.decayBiasAndNorm = false;
        const nlohmann::json j = o.toJson();
        QVERIFY(TrainOptions::fromJson(j).toJson() == j);
        QVERIFY(j["dropout"] == 0.1);
        QVERIFY(TrainOptions().toJson()["dropout"].is_null());
        QVERIFY(!TrainOptions::fromJson(TrainOptions().toJson()).dropout);
        // A run recorded before the training loss was a setting showed the chapter's estimate.
        nlohmann::json older = TrainOptions().toJson();
        QCOMPARE(TrainOptions::fromJson(older).trainLoss, std::string("steps"));
        older.erase("train_loss");
        QCOMPARE(TrainOptions::fromJson(older).trainLoss, std::string("chapter"));

        auto expectError = [](nlohmann::json change, const char* words) {
            nlohmann::json j = TrainOptions().toJson();
            j.update(change);
            try {
                TrainOptions::fromJson(j);
                QFAIL("accepted");
            } catch (const ConfigError& e) {
                QVERIFY2(QString(e.what()).contains(words), e.what());
            }
        };
        expectError({{"lr_schedule", "step"}}, "constant, cosine or linear");
        expectError({{"warmup_steps", 10}, {"warmup_ratio", 0.1}}, "not both");
        expectError({{"precision", "fp16"}}, "auto, fp32 or bf16");
        expectError({{"min_lr", 1e-3}}, "min lr");
        expectError({{"grad_accumulation", 0}}, "gradient accumulation");
        expectError({{"dropout", 1.5}}, "dropout");
        expectError({{"lora_merged", true}}, "LoRA");
        expectError({{"lora", {{"r", 0}}}}, "rank");
        expectError({{"lora", {{"targets", {"q", "mlp"}}}}}, "unknown LoRA target 'mlp'");

        o.lora = LoraOptions{};
        o.lora->rank = 4;
        o.lora->targets = {LoraTarget::Key, LoraTarget::Head};
        o.loraMerged = true;
        o.memoryCheck = false;
        const nlohmann::json withLora = o.toJson();
        QVERIFY(TrainOptions::fromJson(withLora).toJson() == withLora);
        QCOMPARE(withLora["lora"]["r"].get<int>(), 4);
        QVERIFY(withLora["lora"]["targets"] == nlohmann::json({"k", "head"}));
        QVERIFY(TrainOptions().toJson()["lora"].is_null());
    }

    // Every descriptor of the settings table, changed alone from its default to another value
    // in range, survives run.json both ways: no setting is left out of the JSON, none is read
    // into another's place. The values come from the descriptors, not from a list here.
    void everySettingRoundTripsThroughRunJson()
    {
        const std::vector<SettingInfo> settings = trainSettings().infos();
        std::set<std::string> flags, widgets, keys;
        for (const SettingInfo& s : settings) {
            QVERIFY2(flags.insert(s.flag).second && widgets.insert(s.widget).second && keys.insert(s.key).second,
                     s.flag.c_str());
            nlohmann::json j = TrainOptions().toJson();
            for (const SettingInfo& parent : settings)
                if (parent.flag == s.parent && j.at(nlohmann::json::json_pointer(parent.key)).is_null())
                    j[nlohmann::json::json_pointer(parent.key)] = nlohmann::json::object();
            // A switch holding its children is on as an object of them, off as null.
            const nlohmann::json changed = s.holdsChildren ? nlohmann::json::object() : otherValue(s);
            QVERIFY2(changed != s.defaultValue && (s.holdsChildren || checkSettingValue(s, changed).empty()), s.flag.c_str());
            j[nlohmann::json::json_pointer(s.key)] = changed;
            const nlohmann::json back = trainSettings().read(j).toJson();
            const nlohmann::json& came = back.at(nlohmann::json::json_pointer(s.key));
            QVERIFY2(s.holdsChildren ? came.is_object() : came == changed,
                     (s.flag + ": " + changed.dump() + " came back as " + back.dump()).c_str());
            QVERIFY2(trainSettings().read(back).toJson() == back, s.flag.c_str());
        }
    }

    // LoRA through the trainer: the optimizer holds the adapters alone, the base weights stay
    // as they were, checkpoints hold only the adapters, and they load onto the base model,
    // merged or kept, computing the same logits.
    void loraRunTrainsAdaptersOnly()
    {
        QTemporaryDir dir;
        TrainInputs inputs = baseFolderInputs(dir);
        Gpt base = loadModelFolder(inputs.model.folder).model;
        TrainOptions o = fewSteps(3);
        o.lora = LoraOptions{};
        o.lora->rank = 4;
        o.lora->targets = {LoraTarget::Query, LoraTarget::Value, LoraTarget::FeedForward};
        o.dropout = 0.1;
        Recorder recorder;
        const TrainResult result = train(inputs, o, dir.filePath("lora").toStdString(), recorder);
        QCOMPARE(int(recorder.steps.size()), 3);

        const nlohmann::json run = RunDirectory::open(dir.filePath("lora").toStdString()).readRunJson();
        const int64_t adapters = loraParameterCount(base->config(), *o.lora);
        QCOMPARE(run["parameters"]["trainable"].get<int64_t>(), adapters);
        QCOMPARE(run["parameters"]["total"].get<int64_t>(), base->config().parameterCount() + adapters);
        QCOMPARE(run["options"]["lora"]["r"].get<int>(), 4);
        QVERIFY(isLoraAdapterFolder(result.checkpoint));
        QVERIFY(!fileExists(result.checkpoint + "/model.safetensors"));
        QCOMPARE(adapterBaseModel(result.checkpoint), inputs.model.folder);

        LoadedModel kept = loadModelFolder(result.checkpoint, Adapters::Keep);
        QVERIFY(hasLora(kept.model));
        const auto trained = kept.model->named_parameters();
        for (const auto& p : base->named_parameters())
            QVERIFY2(torch::equal(trained[p.key()], p.value()), p.key().c_str());
        LoadedModel merged = loadModelFolder(result.checkpoint);
        QVERIFY(!hasLora(merged.model));
        torch::NoGradGuard noGrad;
        const torch::Tensor ids = firstTrainBatch(inputs, o).inputs;
        const torch::Tensor adapted = kept.model->forward(ids);
        QVERIFY(torch::allclose(merged.model->forward(ids), adapted, 1e-4, 1e-5));
        QVERIFY(!torch::allclose(base->forward(ids), adapted, 1e-4, 1e-5));
        QVERIFY(loadTokenizer(result.checkpoint).encode("Below is an instruction") ==
                inputs.tokenizer.encode("Below is an instruction"));
    }

    // Merged: the final folder is also a plain model folder any GPT-2 reader loads.
    void loraMergedFinalIsAFullModelToo()
    {
        QTemporaryDir dir;
        TrainInputs inputs = baseFolderInputs(dir);
        TrainOptions o = fewSteps(2);
        o.lora = LoraOptions{};
        o.loraMerged = true;
        Recorder recorder;
        const TrainResult result = train(inputs, o, dir.filePath("merged").toStdString(), recorder);
        QVERIFY(isLoraAdapterFolder(result.checkpoint));
        QVERIFY(fileExists(result.checkpoint + "/model.safetensors"));
        const std::string plain = dir.filePath("plain").toStdString();
        makeDirectories(plain);
        for (const char* file : {"model.safetensors", "config.json", "vocab.json", "merges.txt"})
            QVERIFY(QFile::copy(QString::fromStdString(result.checkpoint + "/" + file),
                                QString::fromStdString(plain + "/" + file)));
        LoadedModel full = loadModelFolder(plain);
        LoadedModel adapted = loadModelFolder(result.checkpoint, Adapters::Keep);
        QVERIFY(hasLora(adapted.model));
        torch::NoGradGuard noGrad;
        const torch::Tensor ids = firstTrainBatch(inputs, o).inputs;
        QVERIFY(torch::allclose(full.model->forward(ids), adapted.model->forward(ids), 1e-4, 1e-5));
    }

    // An adapter folder whose base model is gone is refused with what to do, not a crash.
    void loraAdaptersWithoutTheirBaseAreExplained()
    {
        QTemporaryDir dir;
        TrainInputs inputs = baseFolderInputs(dir);
        TrainOptions o = fewSteps(1);
        o.lora = LoraOptions{};
        Recorder recorder;
        const TrainResult result = train(inputs, o, dir.filePath("run").toStdString(), recorder);
        QVERIFY(QDir(QString::fromStdString(inputs.model.folder)).removeRecursively());
        try {
            loadModelFolder(result.checkpoint);
            QFAIL("loaded adapters without their base model");
        } catch (const WeightsError& e) {
            QVERIFY2(QString(e.what()).contains("base_model_name_or_path"), e.what());
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(inputs.model.folder)), e.what());
        }
    }

    void precisionChoice()
    {
        QVERIFY(!cpuInfoHasNativeBf16("processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512bw\n"));
        QVERIFY(cpuInfoHasNativeBf16("flags\t\t: fpu avx2 avx512f avx512_bf16 avx512_vnni\n"));
        QVERIFY(cpuInfoHasNativeBf16("flags\t\t: fpu avx2 amx_bf16 amx_tile\n"));
        QVERIFY(!cpuInfoHasNativeBf16("model name\t: avx512_bf16 in a name is no flag\nflags\t: fpu\n"));
        QVERIFY(resolvePrecision("auto", true) == Precision::Bf16);
        QVERIFY(resolvePrecision("fp32", true) == Precision::Fp32);
        QVERIFY(resolvePrecision("bf16", false) == Precision::Bf16);
    }

    // bf16 autocast is on (the loss differs in its low digits) and recorded; fp32 is recorded too.
    void bf16RunIsCloseAndRecorded()
    {
        QTemporaryDir dir;
        TrainOptions bf16 = fewSteps(1), fp32 = fewSteps(1);
        bf16.precision = "bf16";
        fp32.precision = "fp32";
        const Recorder a = runTo(dir, "fp32", fp32), b = runTo(dir, "bf16", bf16);
        QVERIFY(a.steps[0].loss != b.steps[0].loss);
        QVERIFY2(std::abs(a.steps[0].loss - b.steps[0].loss) < 0.05,
                 qPrintable(QString("%1 vs %2").arg(a.steps[0].loss).arg(b.steps[0].loss)));
        QVERIFY(RunDirectory::open(dir.filePath("bf16").toStdString()).readRunJson()["precision"] == "bf16");
        QVERIFY(RunDirectory::open(dir.filePath("fp32").toStdString()).readRunJson()["precision"] == "fp32");
    }

    void dropoutOverride()
    {
        QTemporaryDir dir;
        TrainOptions o = fewSteps(1);
        o.dropout = 0.3;
        TrainResult result;
        const Recorder a = runTo(dir, "a", o, &result), b = runTo(dir, "b", o);
        QCOMPARE(a.steps[0].loss, b.steps[0].loss); // the same seed draws the same masks
        TrainInputs fresh = sliceInputs();
        torch::NoGradGuard noGrad;
        QVERIFY(a.steps[0].loss != batchLoss(fresh.model.model, firstTrainBatch(fresh, o)).item<double>());
        QCOMPARE(loadModelFolder(result.checkpoint).config.dropRate, 0.3);
    }

    void weightDecayLeavesOutBiasesAndNorms()
    {
        for (const char* name : {"h.0.ln_1.weight", "h.11.ln_2.bias", "ln_f.weight", "h.3.attn.c_attn.bias", "h.0.mlp.c_proj.bias"})
            QVERIFY2(isBiasOrNormParameter(name), name);
        for (const char* name : {"wte.weight", "wpe.weight", "h.0.attn.c_attn.weight", "h.0.mlp.c_fc.weight", "lm_head.weight"})
            QVERIFY2(!isBiasOrNormParameter(name), name);

        Gpt model(test::tinyTrainConfig());
        TrainOptions o;
        QCOMPARE(int(makeAdamW(*model, o)->param_groups().size()), 1);
        o.decayBiasAndNorm = false;
        const auto optimizer = makeAdamW(*model, o);
        QCOMPARE(int(optimizer->param_groups().size()), 2);
        const auto& groups = optimizer->param_groups();
        auto decay = [](const torch::optim::OptimizerParamGroup& g) {
            return static_cast<const torch::optim::AdamWOptions&>(g.options()).weight_decay();
        };
        QCOMPARE(decay(groups[0]), 0.1);
        QCOMPARE(decay(groups[1]), 0.0);
        const int64_t layers = test::tinyTrainConfig().nLayers;
        QCOMPARE(int64_t(groups[1].params().size()), 8 * layers + 2); // per block 2 norms x 2 + 4 biases; ln_f
        QCOMPARE(groups[0].params().size() + groups[1].params().size(), model->parameters().size());
    }
};

QTEST_GUILESS_MAIN(TestTrainFeatures)
#include "test_train_features.moc"
