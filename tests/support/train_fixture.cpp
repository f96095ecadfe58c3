#include "tests/support/train_fixture.h"

#include "tests/support/test_support.h"

namespace sft::test {

GptConfig tinyTrainConfig()
{
    GptConfig c = GptConfig::preset("tiny");
    c.contextLength = 128;
    return c;
}

TrainInputs tinyInputs(uint64_t seed, const std::string& datasetPath)
{
    // Read once: its tables take longer to build than a tiny run takes to train.
    static const Tokenizer tokenizer = Tokenizer::fromDirectory(sharedPath("data/gpt2-tokenizer"));
    Gpt model(tinyTrainConfig());
    model->initWeights(seed);
    return {LoadedModel{tinyTrainConfig(), model, "tiny"}, tokenizer,
            loadDataset(datasetPath.empty() ? sharedPath("data/instruction-data.json") : datasetPath)};
}

TrainOptions everyOptionChanged()
{
    TrainOptions o;
    o.epochs = 3;
    o.batchSize = 4;
    o.learningRate = 1e-3;
    o.weightDecay = 0.05;
    o.beta1 = 0.8;
    o.beta2 = 0.99;
    o.adamEps = 1e-6;
    o.evalFreq = 7;
    o.evalIter = 2;
    o.trainLoss = "chapter";
    o.seed = 9;
    o.maxLength = 64;
    o.templateName = "phi3";
    o.groupByLength = true;
    o.maxSteps = 1;
    o.sampleTokens = 4;
    o.headOnCountedTargets = false;
    o.maskPrompt = true;
    o.lrSchedule = "cosine";
    o.warmupRatio = 0.1;
    o.minLearningRate = 1e-5;
    o.gradAccumulation = 2;
    o.maxGradNorm = 1.5;
    o.earlyStoppingPatience = 3;
    o.earlyStoppingMinDelta = 0.01;
    o.keepBest = true;
    o.saveEvery = 10;
    o.keepLast = 1;
    o.precision = "fp32";
    o.dropout = 0.2;
    o.decayBiasAndNorm = false;
    o.lora = LoraOptions{};
    o.lora->rank = 2;
    o.lora->alpha = 4;
    o.lora->dropout = 0.1;
    o.lora->targets = {LoraTarget::Key, LoraTarget::AttentionOut};
    o.loraMerged = true;
    o.memoryCheck = false;
    o.processes = 2;
    o.distTimeout = 60;
    o.dpoBeta = 0.2;
    return o;
}

void Recorder::onStep(const StepPoint& p)
{
    steps.push_back(p);
    if (stopAfter && p.step == stopStep)
        stopAfter->requestCancel();
}

void Recorder::onResumed(int64_t stepsDone, const std::vector<StepPoint>&, const std::vector<EvalPoint>& kept)
{
    resumedAt = stepsDone;
    resumedEvals = kept;
}

} // namespace sft::test
