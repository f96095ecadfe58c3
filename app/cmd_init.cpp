// sft-studio init: a model folder with random GPT-2 weights, for offline experiments and tests.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

namespace sft::cli {

namespace {

GptConfig configFrom(const std::string& value)
{
    if (fileExists(value)) {
        try {
            return GptConfig::fromHfJson(nlohmann::json::parse(readFile(value)));
        } catch (const nlohmann::json::parse_error& e) {
            throw WeightsError(value + " is not valid JSON: " + e.what());
        } catch (const WeightsError& e) {
            throw WeightsError(value + ": " + e.what());
        }
    }
    try {
        return GptConfig::preset(value);
    } catch (const ConfigError& e) {
        throw ConfigError(std::string(e.what()) + ", or the path of a config.json");
    }
}

Tokenizer tokenizerFrom(const Options& o)
{
    return o.isSet("tokenizer") ? Tokenizer::fromDirectory(o.text("tokenizer")) : defaultTokenizer();
}

} // namespace

int cmdInit(const QStringList& args)
{
    Options o("init", "Write a model folder (config.json, model.safetensors, tokenizer files) holding a "
                      "GPT-2 with random weights.");
    o.add("config", "gpt2-small, gpt2-medium, gpt2-large, gpt2-xl, tiny, or a config.json file.", "NAME|FILE");
    o.add("seed", "Seed of the random weights.", "N", "123");
    o.add("tokenizer", "Folder with the GPT-2 tokenizer files to copy in (default: $SFT_TOKENIZER_DIR, else a "
                       "downloaded GPT-2's, else the GPT-2 tokenizer bundled with SFT Studio).", "DIR");
    o.add("out", "The model folder to create.", "DIR");
    if (!o.parse(args))
        return 0;
    const GptConfig config = configFrom(o.required("config"));
    const auto seed = uint64_t(o.integer("seed", 0, std::numeric_limits<int64_t>::max()));
    const std::string out = o.required("out");
    if (isModelFolder(out))
        throw ConfigError(out + " already holds a model; choose another --out or delete it first");
    const Tokenizer tokenizer = tokenizerFrom(o);

    Gpt model(config);
    model->initWeights(seed);
    saveModelFolder(out, model, &tokenizer);
    std::fprintf(stderr, "wrote %s: %lld parameters, seed %llu\n", out.c_str(),
                 (long long)model->config().parameterCount(), (unsigned long long)seed);
    return 0;
}

} // namespace sft::cli
