#pragma once
// What happens to each token of an example in training, for showing an entry as the model sees
// it: derived from the targets collate() builds, so the picture cannot disagree with the loss.
// Free of LibTorch headers, so that views can hold roles.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace sft {

struct Example;
struct CollateOptions;

enum class TokenRole {
    Trained, // a target the loss is taken on (the model learns to predict this token)
    Masked,  // no loss: the prompt under masking, or the first token, which nothing predicts
    Padding, // filler after the end-of-text target, ignored by the loss
    CutOff,  // beyond the allowed max length: dropped from inputs and targets alike
};

struct RoledToken {
    int64_t id = 0;
    TokenRole role = TokenRole::Trained;
};

// The example's tokens followed by the end-of-text collate appends, and padding up to
// `batchWidth` (the longest example of a batch; 0 or less than the example's length: none),
// each with its role under `options`.
std::vector<RoledToken> tokenRoles(const Example& example, const CollateOptions& options, size_t batchWidth = 0);

int64_t countRole(const std::vector<RoledToken>& tokens, TokenRole role);

} // namespace sft
