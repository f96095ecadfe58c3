#pragma once
// The shape of a GPT-2 model: the four OpenAI sizes, a tiny test size, or any HF config.json.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace sft {

struct GptConfig {
    int64_t vocabSize = 50257;
    int64_t contextLength = 1024;
    int64_t embDim = 768;
    int64_t nLayers = 12;
    int64_t nHeads = 12;
    double dropRate = 0.0;
    bool qkvBias = true;
    double layerNormEps = 1e-5;
    bool tieEmbeddings = false; // the chapter unties the head after loading

    // gpt2-small | gpt2-medium | gpt2-large | gpt2-xl | tiny; throws ConfigError otherwise.
    static GptConfig preset(const std::string& name);
    // Hugging Face config.json fields: n_embd, n_layer, n_head, n_positions (or n_ctx),
    // vocab_size, layer_norm_epsilon, tie_word_embeddings. Throws WeightsError when invalid.
    static GptConfig fromHfJson(const nlohmann::json& j);
    nlohmann::json toHfJson() const;
    int64_t parameterCount() const;
    void validate() const; // positive sizes, embDim divisible by nHeads, sane limits
};

} // namespace sft
