#pragma once
// Training with another dropout than the model's config: GPT-2's modules read their drop rate
// when built, so the model is rebuilt with the new rate and the same weights.

#include "core/model/gpt.h"

namespace sft {

// A copy of `model` (parameters and buffers, in training mode) whose dropout is `rate`.
Gpt withDropRate(Gpt& model, double rate);

} // namespace sft
