#pragma once
// GPT-2 as built in the book (pre-LN blocks, LayerNorm eps from the config, tanh GELU,
// qkv bias, learned positions, an output head of its own), laid out like nanoGPT's model.py.
// Module names follow Hugging Face's GPT-2 (wte, wpe, h.N.attn.c_attn, ..., ln_f, lm_head) so
// weight mapping only has to transpose Conv1D matrices. The linear layers are LoraLinear, which
// registers the parameters torch::nn::Linear does and can take LoRA adapters (core/model/lora.h).

#include "core/model/gpt_config.h"
#include "core/model/lora_linear.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <vector>

namespace sft {

// Keys and values of every layer for the positions decoded so far. Each is the first T
// positions of a longer buffer, so that a decoding step writes its one new position in place
// instead of copying the whole cache into a new tensor.
struct KvCache {
    std::vector<torch::Tensor> keys;   // per layer [B, H, T, head_dim]
    std::vector<torch::Tensor> values; // per layer [B, H, T, head_dim]
    // The positions a buffer makes room for when it is made (prompt and answer), at least.
    int64_t reserve = 0;

    int64_t length() const { return keys.empty() ? 0 : keys.front().size(2); }
    void clear();
    // Keeps only the batch rows listed in `rows` (int64 [B']), e.g. to drop finished sequences.
    void selectRows(const torch::Tensor& rows);
    // Adds [B, H, T', head_dim] positions after a layer's cached ones.
    void append(int64_t layer, const torch::Tensor& newKeys, const torch::Tensor& newValues);

private:
    std::vector<torch::Tensor> keyBuffers_, valueBuffers_;
};

class CausalSelfAttentionImpl : public torch::nn::Module {
public:
    explicit CausalSelfAttentionImpl(const GptConfig& config);
    // x [B, T, d]. keyValid [B, T_total] bool (false = padding) or undefined when all are valid.
    // With a cache, keys/values of x are appended to layer `layer` and attention spans them all.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& keyValid = {},
                          KvCache* cache = nullptr, int64_t layer = 0);
    void setDropRate(double rate) { dropout_ = rate; }

    LoraLinear c_attn{nullptr}; // d -> 3d (q, k, v)
    LoraLinear c_proj{nullptr}; // d -> d
private:
    int64_t nHeads_;
    double dropout_;
};
TORCH_MODULE(CausalSelfAttention);

class MlpImpl : public torch::nn::Module {
public:
    explicit MlpImpl(const GptConfig& config);
    torch::Tensor forward(const torch::Tensor& x);

    LoraLinear c_fc{nullptr};   // d -> 4d
    LoraLinear c_proj{nullptr}; // 4d -> d
};
TORCH_MODULE(Mlp);

class BlockImpl : public torch::nn::Module {
public:
    explicit BlockImpl(const GptConfig& config);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& keyValid = {},
                          KvCache* cache = nullptr, int64_t layer = 0);
    void setDropRate(double rate);

    torch::nn::LayerNorm ln_1{nullptr};
    CausalSelfAttention attn{nullptr};
    torch::nn::LayerNorm ln_2{nullptr};
    Mlp mlp{nullptr};
private:
    double dropout_;
};
TORCH_MODULE(Block);

class GptImpl : public torch::nn::Module {
public:
    explicit GptImpl(const GptConfig& config);
    const GptConfig& config() const { return config_; }

    // ids [B, T] int64 -> logits [B, T, vocab]
    torch::Tensor forward(const torch::Tensor& ids);
    // ids [B, T] -> final-LayerNormed hidden states [B, T, d]; the head is separate so training
    // can apply it only at positions whose target counts.
    torch::Tensor features(const torch::Tensor& ids);
    torch::Tensor head(const torch::Tensor& hidden) { return lm_head->forward(hidden); }

    // Which positions forwardCached returns logits for. Decoding needs only the last one's, and
    // over a prompt the head is a third of the work.
    enum class Logits { All, Last };
    // Incremental decoding: ids [B, T_new] at positions [B, T_new] (per row, so left-padded
    // prompts start at 0), keyValid [B, cache.length() + T_new] bool or undefined.
    // Appends to the cache and returns logits [B, T_new, vocab] (All) or [B, 1, vocab] (Last).
    torch::Tensor forwardCached(const torch::Tensor& ids, const torch::Tensor& positions,
                                const torch::Tensor& keyValid, KvCache& cache, Logits logits = Logits::All);

    // Changes the dropout probability of every layer in place (a training setting; weights,
    // adapters and the optimizer's references to them stay as they are).
    void setDropRate(double rate);

    // GPT-2 initialisation: weights normal(0, 0.02), biases 0, LayerNorm 1 and 0.
    void initWeights(uint64_t seed);

    torch::nn::Embedding wte{nullptr}; // [vocab, d]
    torch::nn::Embedding wpe{nullptr}; // [context, d]
    torch::nn::ModuleList h{nullptr};  // Block x n_layer
    torch::nn::LayerNorm ln_f{nullptr};
    LoraLinear lm_head{nullptr}; // d -> vocab, no bias, untied (as the chapter)

private:
    torch::Tensor runBlocks(torch::Tensor x, const torch::Tensor& keyValid, KvCache* cache);
    GptConfig config_;
    double dropout_;
};
TORCH_MODULE(Gpt);

} // namespace sft
