// sft-studio generate: the chapter's generate() on one prompt, streamed as tokens come.

#include "app/cli_settings.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "core/generate/generation_settings.h"
#include "core/generate/generator.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"

#include <cstdio>

namespace sft::cli {

int cmdGenerate(const QStringList& args)
{
    Options o("generate", "Continue a prompt with a model and print the new text (not the prompt) to stdout. "
                          "Stops at <|endoftext|> or after --max-new-tokens.");
    o.add("model", "Model folder.", "DIR");
    o.add("prompt", "Text to continue; <|endoftext|> in it is the special token.", "TEXT");
    const std::vector<SettingInfo> settings =
        settingsWithFlags(generationSettings().infos(), {"max-new-tokens", "temperature", "top-k", "seed"});
    addSettingFlags(o, settings);
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    if (!o.parse(args))
        return 0;
    GenerationOptions generation = generationSettings().fromJson(readSettingFlags(o, settings));
    const std::string prompt = o.required("prompt");
    const std::string modelDir = resolveModel(o.required("model"));
    LoadedModel loaded = loadModelFolder(modelDir, Adapters::Merge, WeightUse::Inference);
    const Tokenizer tokenizer = loadTokenizer(modelDir, o.text("tokenizer"));
    const std::vector<int> ids = tokenizer.encode(prompt, true);

    // Raw token bytes go out as they come; a character split over two tokens is whole once both are.
    generation.onToken = [&](size_t, int64_t token) {
        const std::string bytes = tokenizer.tokenBytes(int(token));
        std::fwrite(bytes.data(), 1, bytes.size(), stdout);
        std::fflush(stdout);
    };
    generate(loaded.model, {std::vector<int64_t>(ids.begin(), ids.end())}, generation, {}, &interruptibleJob());
    std::fputs("\n", stdout);
    return 0;
}

} // namespace sft::cli
