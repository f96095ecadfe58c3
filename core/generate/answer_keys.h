#pragma once
// Which fields of a responses file hold answers to show or judge: the chapter's files use
// "model_response", its evaluation example "model 1 response" and "model 2 response".

#include "core/data/dataset.h"

#include <string>
#include <vector>

namespace sft {

// String fields other than instruction, input and output that every entry has, sorted by name
// with "model_response" first. Empty when the file holds no answers.
std::vector<std::string> answerKeys(const Dataset& dataset);

} // namespace sft
