#include "core/train/training_plan.h"

#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>

namespace sft {

namespace {

std::string modelName(const std::string& model)
{
    return QFileInfo(QDir::cleanPath(QString::fromStdString(model))).fileName().toStdString();
}

} // namespace

MethodMemory methodMemory(const TrainOptions& options, const GptConfig& config)
{
    if (!options.isDpo())
        return {options.batchSize, 0};
    return {2 * options.batchSize,
            options.referenceIsBaseModel() ? 0 : config.parameterCount() * int64_t(sizeof(float))};
}

std::optional<TrainingPlan> planTraining(const std::string& model, const TrainOptions& options, int64_t availableBytes,
                                         int64_t longestExample)
{
    const std::optional<GptConfig> read = readModelConfig(resolveModel(model));
    if (!read)
        return std::nullopt;
    GptConfig config = *read;
    config.tieEmbeddings = false; // a loaded model has a head of its own, as the trainer trains it
    const LoraOptions* lora = options.lora ? &*options.lora : nullptr;
    if (lora)
        lora->validate();
    // The trainer plans for its longest batch; before the dataset is tokenized, the max length
    // and the model's context bound it.
    const int64_t bound = std::min(options.maxLength, config.contextLength);
    const int64_t length = longestExample > 0 ? std::min(longestExample, bound) : bound;

    TrainingPlan plan;
    plan.sequenceLength = length;
    plan.lengthFromDataset = longestExample > 0;
    const int64_t adapters = lora ? loraParameterCount(config, *lora) : 0;
    plan.totalParameters = config.parameterCount() + adapters;
    plan.trainableParameters = lora ? adapters : plan.totalParameters;
    const MethodMemory method = methodMemory(options, config);
    plan.memory = estimateTrainingMemory(config, method.rowsPerBatch, length, lora);
    plan.memory.weights += method.referenceBytes;
    plan.availableBytes = availableBytes;
    plan.shortfall = trainingMemoryShortfall(config, modelName(model), method.rowsPerBatch, length, lora,
                                             availableBytes - method.referenceBytes);
    return plan;
}

} // namespace sft
