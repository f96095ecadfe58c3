#pragma once
// What a run will train and need, known before it starts: the trainable and total parameter
// counts and the memory estimate, from the model's config file alone (never the weights), so
// the Train view can say before Start that a full fine-tuning cannot fit.

#include "core/train/memory_estimate.h"
#include "core/train/train_options.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sft {

struct TrainingPlan {
    int64_t trainableParameters = 0;
    int64_t totalParameters = 0; // the model as trained (run.json's parameters.total): its own head and the adapters
    int64_t sequenceLength = 0; // the tokens per entry of the batches the estimate assumes
    bool lengthFromDataset = false; // sequenceLength is the dataset's longest entry, not the bound
    MemoryEstimate memory;
    int64_t availableBytes = 0;
    std::string shortfall; // trainingMemoryShortfall's message; empty when the run fits
};

// What the method adds to a run's memory: DPO runs both answers of every pair through the model
// (twice the rows per batch) and, unless LoRA's adapters are switched off for it, holds a
// reference model's weights.
struct MethodMemory {
    int64_t rowsPerBatch = 0;
    int64_t referenceBytes = 0;
};
MethodMemory methodMemory(const TrainOptions& options, const GptConfig& config);

// model: a model folder or weights file, a downloaded catalog name (gpt2-small), or LoRA
// adapters saved alone (planned on their base model). Reads the folder's config.json (or a
// TensorFlow checkpoint's hparams.json). nullopt when there is neither, as beside a .safetensors
// with the book's names, whose sizes are known only from its tensors. IoError when the model is
// not there, WeightsError when its config is invalid, ConfigError for invalid LoRA options.
// availableBytes: what the run may use, availableMemoryBytes() on this machine.
// longestExample: tokens of the dataset's longest formatted entry when known, else 0.
std::optional<TrainingPlan> planTraining(const std::string& model, const TrainOptions& options, int64_t availableBytes,
                                         int64_t longestExample = 0);

} // namespace sft
