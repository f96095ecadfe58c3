#pragma once
// The pretrained models SFT Studio can download: OpenAI's four GPT-2 sizes as the Hugging Face
// hub keeps them. Only these names ever become folder or file names in the cache.

#include <cstdint>
#include <string>
#include <vector>

namespace sft {

struct CatalogModel {
    std::string name;       // what the user types: gpt2-medium
    std::string repo;       // Hugging Face repository: openai-community/gpt2-medium
    std::string parameters; // for people: "355M"
    int64_t approxBytes;    // all files together, for the UI before the server tells exactly
};

const std::vector<CatalogModel>& modelCatalog();
// nullptr when the name is not in the catalog.
const CatalogModel* findCatalogModel(const std::string& name);
// "gpt2-small, gpt2-medium, gpt2-large, gpt2-xl", for messages.
std::string catalogNames();

// The files a model folder needs, small ones first so a wrong endpoint fails quickly.
const std::vector<std::string>& modelFileNames();

} // namespace sft
