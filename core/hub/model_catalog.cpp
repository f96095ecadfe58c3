#include "core/hub/model_catalog.h"

namespace sft {

const std::vector<CatalogModel>& modelCatalog()
{
    // Sizes: model.safetensors on the hub plus ~1.5 MB of tokenizer files.
    static const std::vector<CatalogModel> all = {
        {"gpt2-small", "openai-community/gpt2", "124M", 550'000'000},
        {"gpt2-medium", "openai-community/gpt2-medium", "355M", 1'520'000'000},
        {"gpt2-large", "openai-community/gpt2-large", "774M", 3'250'000'000},
        {"gpt2-xl", "openai-community/gpt2-xl", "1558M", 6'430'000'000},
    };
    return all;
}

const CatalogModel* findCatalogModel(const std::string& name)
{
    for (const CatalogModel& model : modelCatalog())
        if (model.name == name)
            return &model;
    return nullptr;
}

std::string catalogNames()
{
    std::string names;
    for (const CatalogModel& model : modelCatalog())
        names += (names.empty() ? "" : ", ") + model.name;
    return names;
}

const std::vector<std::string>& modelFileNames()
{
    static const std::vector<std::string> files = {"config.json", "vocab.json", "merges.txt", "model.safetensors"};
    return files;
}

} // namespace sft
