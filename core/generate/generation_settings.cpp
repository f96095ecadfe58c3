#include "core/generate/generation_settings.h"

#include "core/generate/generator.h"

namespace sft {

namespace {

SettingTable<GenerationOptions> makeGenerationSettings()
{
    using K = SettingKind;
    SettingTable<GenerationOptions> t("generation");
    t.add(setting(K::Integer, "/max_new_tokens", "max-new-tokens", "Max new tokens",
                  "Most new tokens per answer; an answer also ends at <|endoftext|>.")
              .range(1, 1 << 20),
          &GenerationOptions::maxNewTokens);
    t.add(setting(K::Real, "/temperature", "temperature", "Temperature",
                  "0: greedy (argmax); above 0: sample at this temperature.")
              .range(0, 1e6)
              .withDecimals(2)
              .atMinimum("greedy")
              .placeholder("T"),
          &GenerationOptions::temperature);
    t.add(setting(K::Integer, "/top_k", "top-k", "Top-k", "Sample only among the K most likely tokens (0: all).")
              .range(0, INT32_MAX)
              .atMinimum("all tokens")
              .placeholder("K"),
          &GenerationOptions::topK);
    t.add(setting(K::Integer, "/seed", "seed", "Seed", "Seed of the sampler.").range(0, double(INT64_MAX)),
          &GenerationOptions::seed);
    t.add(setting(K::Integer, "/batch_size", "batch-size", "Batch size", "Prompts decoded together.").range(1, 4096),
          &GenerationOptions::batchSize);
    return t;
}

} // namespace

const SettingTable<GenerationOptions>& generationSettings()
{
    static const SettingTable<GenerationOptions> table = makeGenerationSettings();
    return table;
}

} // namespace sft
