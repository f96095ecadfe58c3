#pragma once
// One row of a collated batch before truncation: the example padded to the batch width, its
// inputs and its shifted targets. collate() stacks these rows; the Data view colours tokens by
// the same targets, so what it shows is what the loss sees.

#include "core/data/batcher.h"

#include <cstdint>
#include <vector>

namespace sft {

struct CollatedRow {
    std::vector<int64_t> padded;  // width + 1 ids: the example, then padId up to the end
    std::vector<int64_t> inputs;  // padded without its last id
    std::vector<int64_t> targets; // padded without its first id, ignoreIndex where no loss is taken
};

// width: the batch's longest example, at least this example's length.
CollatedRow collateRow(const Example& example, size_t width, const CollateOptions& options);

} // namespace sft
