#pragma once
// A responses file: the chapter's JSON list of entries (instruction, input, output) with the
// answer to judge under a key ("model_response" by default; eval-example-data.json has
// "model 1 response" and "model 2 response").

#include "core/data/dataset.h"

#include <string>
#include <vector>

namespace sft {

struct Responses {
    Dataset dataset;
    std::string key;
    std::vector<std::string> answers; // one per entry, in file order
};

// Throws DatasetError naming the entry when one has no string under `key`.
Responses loadResponses(const std::string& path, const std::string& key);

} // namespace sft
