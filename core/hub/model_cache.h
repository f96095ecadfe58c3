#pragma once
// Where downloaded models live: <root>/<catalog name>/ holding the Hugging Face files, each
// present only once it arrived whole and verified. A folder with every file is ready to load.

#include "core/hub/model_catalog.h"
#include "core/tokenizer/tokenizer.h"

#include <string>
#include <vector>

namespace sft {

class ModelCache {
public:
    // root: the --cache value; empty means $SFT_CACHE_DIR, else ~/.cache/sft-studio/models
    // (the XDG cache folder).
    explicit ModelCache(const std::string& root = {});

    const std::string& root() const { return root_; }
    std::string folder(const CatalogModel& model) const;
    std::vector<std::string> missingFiles(const CatalogModel& model) const;
    bool isComplete(const CatalogModel& model) const { return missingFiles(model).empty(); }

private:
    std::string root_;
};

// What a --model value means: an existing path as given (a local folder wins over a catalog
// name); otherwise a catalog name, its folder in the cache at cacheRoot (as for ModelCache) once
// fully downloaded. Throws IoError that says which `sft-studio download` to run, or which names
// exist.
std::string resolveModel(const std::string& nameOrDir, const std::string& cacheRoot = {});

// The GPT-2 tokenizer when none is given: $SFT_TOKENIZER_DIR, else a downloaded GPT-2's (all
// sizes share one tokenizer), else the copy compiled into SFT Studio; so there always is one.
// `source`, when given, receives where it came from, for the user: a folder, or the bundled copy.
Tokenizer defaultTokenizer(const std::string& cacheRoot = {}, std::string* source = nullptr);

} // namespace sft
