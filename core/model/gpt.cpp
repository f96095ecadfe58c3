#include "core/model/gpt.h"

#include "core/model/decode_attention.h"
#include "core/model/gelu_tanh.h"
#include "core/model/weights_to_load.h"
#include "core/util/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace sft {

namespace {

torch::Tensor maybeDropout(const torch::Tensor& x, double p, bool training)
{
    return (p > 0.0 && training) ? torch::dropout(x, p, true) : x;
}

// True where a query may NOT look: keys after the query's own position. The T queries are
// the last T of the Tk cached positions.
torch::Tensor causalMask(int64_t queries, int64_t keys, const torch::Device& device)
{
    return torch::ones({queries, keys}, torch::TensorOptions().dtype(torch::kBool).device(device))
        .triu_(keys - queries + 1);
}

// Padding keys are hidden too. A padding query would then see no key at all, and its softmax
// would be NaN, which 0-weights would still carry into valid rows of the next layer; so every
// query keeps its own key.
torch::Tensor paddedCausalMask(const torch::Tensor& keyValid, int64_t queries, int64_t keys)
{
    const int64_t batch = keyValid.size(0);
    torch::Tensor mask = causalMask(queries, keys, keyValid.device())
                             .logical_or(keyValid.logical_not().view({batch, 1, 1, keys}));
    mask.diagonal(keys - queries, 2, 3).fill_(false);
    return mask;
}

void checkKeyValid(const torch::Tensor& keyValid, int64_t batch, int64_t keys)
{
    if (keyValid.dim() != 2 || keyValid.size(0) != batch || keyValid.size(1) != keys)
        throw ConfigError("keyValid must be [" + std::to_string(batch) + ", " + std::to_string(keys) +
                          "] (batch x cached+new positions)");
}

// An embedding table; left undrawn (its own given, empty weight) for weights about to be loaded.
torch::nn::Embedding embedding(int64_t rows, int64_t dim)
{
    torch::nn::EmbeddingOptions options(rows, dim);
    if (WeightsToLoad::active())
        options._weight(torch::empty({rows, dim}));
    return torch::nn::Embedding(options);
}

// Appends `added` to `cached`, a view of the first positions of `buffer`: in place when the
// buffer has room and `cached` still is such a view (selectRows and trimming make new tensors),
// else in a new buffer of at least twice the length.
void appendPositions(torch::Tensor& cached, torch::Tensor& buffer, const torch::Tensor& added, int64_t reserve)
{
    const int64_t length = cached.defined() ? cached.size(2) : 0, total = length + added.size(2);
    const bool prefixOfBuffer = cached.defined() && buffer.defined() && cached.data_ptr() == buffer.data_ptr() &&
                                cached.size(0) == buffer.size(0) && cached.strides() == buffer.strides();
    if (!prefixOfBuffer || total > buffer.size(2)) {
        std::vector<int64_t> sizes = added.sizes().vec();
        sizes[2] = std::max({total, reserve, 2 * length});
        torch::Tensor grown = torch::empty(sizes, added.options());
        if (length > 0)
            grown.narrow(2, 0, length).copy_(cached);
        buffer = grown;
    }
    buffer.narrow(2, length, added.size(2)).copy_(added);
    cached = buffer.narrow(2, 0, total);
}

} // namespace

void KvCache::clear()
{
    keys.clear();
    values.clear();
    keyBuffers_.clear();
    valueBuffers_.clear();
}

void KvCache::append(int64_t layer, const torch::Tensor& newKeys, const torch::Tensor& newValues)
{
    const auto layers = size_t(layer + 1);
    for (auto* tensors : {&keys, &values, &keyBuffers_, &valueBuffers_})
        if (tensors->size() < layers)
            tensors->resize(layers);
    appendPositions(keys[size_t(layer)], keyBuffers_[size_t(layer)], newKeys, reserve);
    appendPositions(values[size_t(layer)], valueBuffers_[size_t(layer)], newValues, reserve);
}

void KvCache::selectRows(const torch::Tensor& rows)
{
    for (auto& k : keys)
        k = k.index_select(0, rows);
    for (auto& v : values)
        v = v.index_select(0, rows);
}

CausalSelfAttentionImpl::CausalSelfAttentionImpl(const GptConfig& config)
    : nHeads_(config.nHeads), dropout_(config.dropRate)
{
    const int64_t d = config.embDim;
    c_attn = register_module("c_attn", LoraLinear(torch::nn::LinearOptions(d, 3 * d).bias(config.qkvBias)));
    c_proj = register_module("c_proj", LoraLinear(d, d));
}

torch::Tensor CausalSelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& keyValid,
                                               KvCache* cache, int64_t layer)
{
    const int64_t B = x.size(0), T = x.size(1), d = x.size(2), hd = d / nHeads_;
    // [B, T, 3d] -> three [B, H, T, hd]
    const auto qkv = c_attn->forward(x).split(d, 2);
    torch::Tensor q = qkv[0].view({B, T, nHeads_, hd}).transpose(1, 2);
    torch::Tensor k = qkv[1].view({B, T, nHeads_, hd}).transpose(1, 2);
    torch::Tensor v = qkv[2].view({B, T, nHeads_, hd}).transpose(1, 2);
    if (cache) {
        cache->append(layer, k, v);
        k = cache->keys[size_t(layer)];
        v = cache->values[size_t(layer)];
    }
    const int64_t Tk = k.size(2);
    const double scale = 1.0 / std::sqrt(double(hd));
    if (keyValid.defined())
        checkKeyValid(keyValid, B, Tk);
    if (cache && T == 1 && !is_training()) {
        const torch::Tensor y = decodeAttention(q, k, v, keyValid, scale);
        if (y.defined())
            return c_proj->forward(y.view({B, 1, d}));
    }

    // Scaling q rather than the [T, Tk] scores touches fewer elements.
    torch::Tensor scores = torch::matmul(q * scale, k.transpose(-2, -1));
    if (keyValid.defined()) {
        scores.masked_fill_(paddedCausalMask(keyValid, T, Tk), -INFINITY);
    } else if (T > 1) {
        scores.masked_fill_(causalMask(T, Tk, x.device()), -INFINITY);
    }
    torch::Tensor weights = maybeDropout(torch::softmax(scores, -1), dropout_, is_training());
    torch::Tensor y = torch::matmul(weights, v).transpose(1, 2).reshape({B, T, d}); // [B, T, d]
    return c_proj->forward(y);
}

MlpImpl::MlpImpl(const GptConfig& config)
{
    const int64_t d = config.embDim;
    c_fc = register_module("c_fc", LoraLinear(d, 4 * d));
    c_proj = register_module("c_proj", LoraLinear(4 * d, d));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x)
{
    return c_proj->forward(geluTanh(c_fc->forward(x)));
}

BlockImpl::BlockImpl(const GptConfig& config) : dropout_(config.dropRate)
{
    const auto norm = torch::nn::LayerNormOptions({config.embDim}).eps(config.layerNormEps);
    ln_1 = register_module("ln_1", torch::nn::LayerNorm(norm));
    attn = register_module("attn", CausalSelfAttention(config));
    ln_2 = register_module("ln_2", torch::nn::LayerNorm(norm));
    mlp = register_module("mlp", Mlp(config));
}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& keyValid, KvCache* cache,
                                 int64_t layer)
{
    torch::Tensor h = x + maybeDropout(attn->forward(ln_1->forward(x), keyValid, cache, layer), dropout_,
                                       is_training());
    return h + maybeDropout(mlp->forward(ln_2->forward(h)), dropout_, is_training());
}

void BlockImpl::setDropRate(double rate)
{
    dropout_ = rate;
    attn->setDropRate(rate);
}

GptImpl::GptImpl(const GptConfig& config) : config_(config), dropout_(config.dropRate)
{
    config_.validate();
    config_.tieEmbeddings = false; // lm_head is its own parameter, as in the chapter
    const int64_t d = config.embDim;
    wte = register_module("wte", embedding(config.vocabSize, d));
    wpe = register_module("wpe", embedding(config.contextLength, d));
    h = register_module("h", torch::nn::ModuleList());
    for (int64_t i = 0; i < config.nLayers; ++i)
        h->push_back(Block(config));
    ln_f = register_module("ln_f", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(config.layerNormEps)));
    lm_head = register_module("lm_head", LoraLinear(torch::nn::LinearOptions(d, config.vocabSize).bias(false)));
}

torch::Tensor GptImpl::forward(const torch::Tensor& ids) { return head(features(ids)); }

torch::Tensor GptImpl::features(const torch::Tensor& ids)
{
    const int64_t T = ids.size(1);
    if (T > config_.contextLength)
        throw ConfigError("a sequence of " + std::to_string(T) + " tokens is longer than the model's context of " +
                          std::to_string(config_.contextLength) + " tokens");
    const torch::Tensor positions = torch::arange(T, ids.options().dtype(torch::kLong));
    torch::Tensor x = maybeDropout(wte->forward(ids) + wpe->forward(positions), dropout_, is_training());
    return ln_f->forward(runBlocks(x, {}, nullptr));
}

torch::Tensor GptImpl::forwardCached(const torch::Tensor& ids, const torch::Tensor& positions,
                                     const torch::Tensor& keyValid, KvCache& cache, Logits logits)
{
    if (positions.sizes() != ids.sizes())
        throw ConfigError("positions must have the shape of ids");
    if (cache.length() + ids.size(1) > config_.contextLength ||
        (positions.numel() > 0 && positions.max().item<int64_t>() >= config_.contextLength))
        throw ConfigError("decoding past the model's context of " + std::to_string(config_.contextLength) +
                          " tokens");
    torch::Tensor x = maybeDropout(wte->forward(ids) + wpe->forward(positions), dropout_, is_training());
    x = runBlocks(x, keyValid, &cache);
    if (logits == Logits::Last)
        x = x.narrow(1, x.size(1) - 1, 1);
    return head(ln_f->forward(x));
}

torch::Tensor GptImpl::runBlocks(torch::Tensor x, const torch::Tensor& keyValid, KvCache* cache)
{
    for (size_t i = 0; i < h->size(); ++i)
        x = h->at<BlockImpl>(i).forward(x, keyValid, cache, int64_t(i));
    return x;
}

void GptImpl::setDropRate(double rate)
{
    if (!(rate >= 0 && rate < 1))
        throw ConfigError("dropout must be in [0, 1), not " + std::to_string(rate));
    config_.dropRate = rate;
    dropout_ = rate;
    for (size_t i = 0; i < h->size(); ++i)
        h->at<BlockImpl>(i).setDropRate(rate);
}

void GptImpl::initWeights(uint64_t seed)
{
    // A private generator: the same seed gives the same weights whatever ran before, and the
    // global RNG (dropout, sampling) is left alone. Values are drawn on the CPU so they do not
    // depend on the device either.
    torch::NoGradGuard noGrad;
    at::Generator gen = at::detail::createCPUGenerator(seed);
    const auto normal = [&](torch::Tensor& p) {
        p.copy_(torch::empty(p.sizes(), torch::kFloat).normal_(0.0, 0.02, gen));
    };
    for (const auto& module : modules(/*include_self=*/false)) {
        if (auto* linear = module->as<LoraLinear>()) {
            normal(linear->weight);
            if (linear->bias.defined())
                linear->bias.zero_();
        } else if (auto* embedding = module->as<torch::nn::Embedding>()) {
            normal(embedding->weight);
        } else if (auto* norm = module->as<torch::nn::LayerNorm>()) {
            norm->weight.fill_(1.0);
            norm->bias.zero_();
        }
    }
}

} // namespace sft
