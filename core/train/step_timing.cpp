#include "core/train/step_timing.h"

#include "core/data/batcher.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/train/gradient_accumulation.h"
#include "core/train/objective.h"
#include "core/train/optimizer_setup.h"
#include "core/train/precision.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace sft {

StepTiming measureTrainingStep(const std::string& model, const TrainOptions& options, int64_t sequenceLength,
                               int64_t trainEntries, const JobControl* job)
{
    options.validate();
    const std::string modelDir = resolveModel(model);
    LoadedModel loaded = loadModelFolder(modelDir);
    Gpt& gpt = loaded.model;
    TrainingSetup setup = prepareForTraining(gpt, options);
    TrainOptions resolved = options; // a downloaded model's name works as reference, as in a run
    if (resolved.reference)
        resolved.reference = resolveModel(*resolved.reference);
    const std::unique_ptr<Objective> objective = trainingObjective(resolved, gpt, modelDir);
    const int64_t rows = options.isDpo() ? 2 * options.batchSize : options.batchSize; // DPO: chosen and rejected
    const bool cuda = gpt->parameters().front().is_cuda();
    const Precision precision = resolvePrecision(options.precision, cuda);
    const int64_t length = std::clamp<int64_t>(sequenceLength, 1, loaded.config.contextLength);
    std::vector<Batch> microBatches;
    for (int64_t i = 0; i < options.gradAccumulation; ++i) {
        const torch::Tensor ids = torch::randint(loaded.config.vocabSize, {rows, length},
                                                 torch::TensorOptions().dtype(torch::kInt64).device(gpt->parameters().front().device()));
        microBatches.push_back({ids, ids.roll(-1, 1), options.isDpo()});
    }
    const auto step = [&] {
        if (job)
            job->checkpoint();
        clearGradients(setup.trainable);
        objective->backward(gpt, microBatches, precision);
        clipAndStep(*setup.optimizer, setup.trainable, options.maxGradNorm);
    };
    step(); // the first step allocates the optimizer's state and warms the caches
    const auto start = std::chrono::steady_clock::now();
    step();
    StepTiming timing;
    timing.secondsPerStep = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timing.stepsPerEpoch =
        optimizerStepsPerEpoch(DataLoader::batchCount(trainEntries, options.batchSize, true), options.gradAccumulation);
    timing.threads = torch::get_num_threads();
    timing.device = cuda ? "cuda" : "cpu";
    return timing;
}

} // namespace sft
