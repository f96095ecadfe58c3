#include "core/generate/responses_file.h"

#include "core/util/error.h"

namespace sft {

Responses loadResponses(const std::string& path, const std::string& key)
{
    Responses r{loadDataset(path), key, {}};
    for (const Entry& e : r.dataset.entries) {
        const auto it = e.source.find(key);
        if (it == e.source.end() || !it->is_string())
            throw DatasetError(path + ": entry " + std::to_string(e.index) + " has no string '" + key +
                               "'; name the field that holds the answers with --key");
        r.answers.push_back(it->get<std::string>());
    }
    return r;
}

} // namespace sft
