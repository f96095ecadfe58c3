#pragma once
// How much memory a training run will need, from the model's shape alone, so a run that cannot
// fit (full fine-tuning of gpt2-xl on a 24 GB machine) is refused with advice before it starts
// instead of being killed by the kernel an hour in. fp32 throughout (bf16 autocast needs less).
//
// Bytes, with P the model's parameters, N the trained ones (P, or the adapters' with LoRA),
// B x T the tokens of a micro-batch, L layers, d width, H heads, V vocabulary:
//   weights      4 (P + adapters)
//   gradients    4 N
//   optimizer    8 N                                     AdamW's two moments
//   activations  4 B T (L (a d + s H T + lora) + 2 V)   what autograd keeps for backward, and
//                                                        the logits with their log-softmax
//   transient    the largest temporaries of backward and of the optimizer step
//   modelFiles   8 P + 4 M                               reading or saving a model folder: the
//                                                        file's tensors (or their transposed
//                                                        copies) beside the model, and merged
//                                                        copies of the M weights LoRA adapts
// with a = 20, s = 1 (2.25 with attention dropout) and, per adapter of a layer, lora = r, plus
// 3 x its input width with LoRA dropout; these match peak RSS measured by
// bench/bench_lora_memory.cpp within 0.4 GB (docs/models.md). Peak is
// max(modelFiles, weights + gradients + optimizer + activations + transient) + the runtime's own.

#include "core/model/gpt_config.h"
#include "core/model/lora.h"

#include <cstdint>
#include <string>

namespace sft {

struct MemoryEstimate {
    int64_t weights = 0;
    int64_t gradients = 0;
    int64_t optimizer = 0;
    int64_t activations = 0;
    int64_t transient = 0;
    int64_t modelFiles = 0;
    int64_t runtime = 0;

    int64_t training() const { return weights + gradients + optimizer + activations + transient; }
    int64_t peak() const;
};

// lora: null for full fine-tuning.
MemoryEstimate estimateTrainingMemory(const GptConfig& config, int64_t batchSize, int64_t sequenceLength,
                                      const LoraOptions* lora);

// MemAvailable of /proc/meminfo (what can be used without swapping), or the free physical pages
// where that file is missing; at most $SFT_MEMORY_LIMIT gigabytes when set (ConfigError when
// that is not a positive number).
int64_t availableMemoryBytes();

// Empty when the run fits in availableBytes. Otherwise one message for the user: what the run
// needs, what the machine has, and what would fit, e.g. "full fine-tuning of gpt2-xl needs about
// 31 GB; this machine has 23 GB available. Use LoRA (rank 8 on q, v needs about 9 GB), ...".
std::string trainingMemoryShortfall(const GptConfig& config, const std::string& modelName, int64_t batchSize,
                                    int64_t sequenceLength, const LoraOptions* lora, int64_t availableBytes);

std::string formatGigabytes(int64_t bytes); // "31 GB", "0.4 GB"

} // namespace sft
