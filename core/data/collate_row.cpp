#include "core/data/collate_row.h"

#include <algorithm>

namespace sft {

// The chapter's custom_collate_fn for one row, including its quirk that the first target equal
// to the pad id is kept even when it comes from the text itself rather than from padding.
CollatedRow collateRow(const Example& example, size_t width, const CollateOptions& options)
{
    CollatedRow row;
    row.padded = example.ids;
    row.padded.resize(std::max(width, example.ids.size()) + 1, options.padId);
    row.inputs.assign(row.padded.begin(), row.padded.end() - 1);
    row.targets.assign(row.padded.begin() + 1, row.padded.end());
    auto pad = std::find(row.targets.begin(), row.targets.end(), options.padId);
    if (pad != row.targets.end())
        std::replace(pad + 1, row.targets.end(), options.padId, options.ignoreIndex);
    if (options.maskPrompt) // exercise 7.2: targets[:prompt_length - 1] = ignore_index
        std::fill_n(row.targets.begin(),
                    std::clamp<int64_t>(example.promptLength - 1, 0, int64_t(row.targets.size())),
                    options.ignoreIndex);
    return row;
}

} // namespace sft
