// sft-studio generate: the chapter's generate() on one prompt, streamed as tokens come.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/eval/generator.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"

#include <cstdio>
#include <limits>

namespace sft::cli {

int cmdGenerate(const QStringList& args)
{
    Options o("generate", "Continue a prompt with a model and print the new text (not the prompt) to stdout. "
                          "Stops at <|endoftext|> or after --max-new-tokens.");
    o.add("model", "Model folder.", "DIR");
    o.add("prompt", "Text to continue; <|endoftext|> in it is the special token.", "TEXT");
    o.add("max-new-tokens", "Most tokens to add.", "N", "256");
    o.add("temperature", "0: greedy (argmax); above 0: sample at this temperature.", "T", "0");
    o.add("top-k", "Sample only among the K most likely tokens (0: all).", "K", "0");
    o.add("seed", "Seed of the sampler.", "N", "123");
    o.add("tokenizer", "Tokenizer folder (default: the model folder's).", "DIR");
    if (!o.parse(args))
        return 0;
    GenerationOptions generation;
    generation.maxNewTokens = o.integer("max-new-tokens", 0, 1 << 20);
    generation.temperature = o.real("temperature", 0.0, 1e6);
    generation.topK = o.integer("top-k", 0, std::numeric_limits<int32_t>::max());
    generation.seed = uint64_t(o.integer("seed", 0, std::numeric_limits<int64_t>::max()));
    const std::string prompt = o.required("prompt");
    const std::string modelDir = resolveModel(o.required("model"));
    LoadedModel loaded = loadModelFolder(modelDir);
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
