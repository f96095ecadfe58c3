#pragma once
// Small model folders and dataset slices made by the tests themselves, the way a user gets
// them (init, a copy of part of a dataset), so tests of later stages start in seconds.

#include "core/model/gpt.h"

#include <QString>

#include <cstdint>
#include <string>

namespace sft::test {

// A model of `config` in eval mode with every parameter drawn from normal(0, scale): larger
// than GPT-2's 0.02 so that logits differ clearly and format round trips are tested sharply.
Gpt randomGpt(const GptConfig& config, uint64_t seed, double scale = 0.5);
// A "tiny" GPT-2 model folder (random GPT-2 initialisation) with the shared GPT-2 tokenizer.
std::string makeTinyModelFolder(const QString& dir, unsigned seed = 1);
// The first `count` entries of the chapter's dataset as a JSON array file.
std::string writeChapterSlice(const QString& path, int count);
// The same of the DPO notebook's preference data (chosen and rejected with every entry).
std::string writePreferenceSlice(const QString& path, int count);
inline const char* const kPreferenceData =
    "data/ch07-extras/04_preference-tuning-with-dpo/instruction-data-with-preference.json";

} // namespace sft::test
