#pragma once
// What resuming a run starts from, read back from its folder: the model of a checkpoint (a
// LoRA run's: its adapters on the base model, not merged) or the model the run started from,
// the tokenizer saved with the run, and the dataset at its recorded path, which must still be
// the same file (sha256).

#include "core/train/run_directory.h"
#include "core/train/trainer.h"

#include <string>

namespace sft {

// checkpoint: a model folder, or empty for the run's starting model. FormatError or
// ConfigError saying what is missing or changed.
TrainInputs loadRunInputs(const RunDirectory& run, const std::string& checkpoint);

} // namespace sft
