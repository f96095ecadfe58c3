#pragma once
// Two models' answers to the same test entries, for reading them side by side. Entries are
// matched by instruction and input, not by position, so files of different splits, orders or
// lengths still line up where they overlap.

#include "core/generate/responses_file.h"

#include <cstddef>
#include <string>
#include <vector>

namespace sft {

struct AnswerPair {
    std::string instruction, input, reference; // reference: the entry's output in `a`
    std::string answerA, answerB;
    size_t indexA = 0, indexB = 0; // the entry's position in each file, to find its scores
};

struct AnswerPairing {
    std::vector<AnswerPair> pairs; // in the order of `a`
    size_t onlyInA = 0, onlyInB = 0;
};

// An entry repeated within a file pairs with the repeats of the other file in order.
AnswerPairing pairAnswers(const Responses& a, const Responses& b);

} // namespace sft
