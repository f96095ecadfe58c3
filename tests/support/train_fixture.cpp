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
