#include "core/data/token_roles.h"

#include "core/data/batcher.h"
#include "core/data/collate_row.h"

#include <algorithm>

namespace sft {

// Token k of the padded row is the target of position k - 1; token 0 is the target of none.
// Truncation to allowedMaxLength keeps positions below it, so tokens up to that index still
// take part as targets, and later ones are gone.
std::vector<RoledToken> tokenRoles(const Example& example, const CollateOptions& options, size_t batchWidth)
{
    const CollatedRow row = collateRow(example, batchWidth, options);
    const size_t appended = example.ids.size(); // index of the first id collate adds
    std::vector<RoledToken> tokens(row.padded.size());
    for (size_t k = 0; k < tokens.size(); ++k) {
        RoledToken& token = tokens[k];
        token.id = row.padded[k];
        if (options.allowedMaxLength > 0 && int64_t(k) > options.allowedMaxLength)
            token.role = TokenRole::CutOff;
        else if (k > 0 && row.targets[k - 1] != options.ignoreIndex)
            token.role = TokenRole::Trained;
        else
            token.role = k >= appended ? TokenRole::Padding : TokenRole::Masked;
    }
    return tokens;
}

int64_t countRole(const std::vector<RoledToken>& tokens, TokenRole role)
{
    return std::count_if(tokens.begin(), tokens.end(), [&](const RoledToken& t) { return t.role == role; });
}

} // namespace sft
