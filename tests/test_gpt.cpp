// The GPT-2 module: shapes, causality, the chapter's forward pass written out independently in
// this test, KV-cache decoding (including left-padded batches), initialisation and dropout.

#include "core/model/decode_attention.h"
#include "core/model/gelu_tanh.h"
#include "core/model/gpt.h"
#include "core/model/skinny_linear.h"
#include "core/util/error.h"
#include "tests/support/model_fixture.h"

#include <QtTest>

#include <torch/torch.h>

#include <cmath>
#include <mutex>
#include <set>
#include <thread>

using sft::Gpt;
using sft::GptConfig;
using sft::KvCache;

namespace {

GptConfig smallConfig()
{
    GptConfig c;
    c.vocabSize = 97;
    c.contextLength = 16;
    c.embDim = 16;
    c.nLayers = 2;
    c.nHeads = 4;
    return c;
}

// Weights far larger than GPT-2's 0.02 init, so that every term of the forward pass moves
// the logits visibly and a wrong term cannot hide below the tolerance.
Gpt randomModel(const GptConfig& config, uint64_t seed = 1) { return sft::test::randomGpt(config, seed); }

torch::Tensor ids(std::vector<int64_t> values) { return torch::tensor(values, torch::kLong).unsqueeze(0); }

// The chapter's GPTModel.forward, term by term (ch04/ch07 previous_chapters.py): its own
// LayerNorm with the biased variance, GELU's tanh formula, separate q/k/v, the mask applied
// before dividing by sqrt(head_dim).
torch::Tensor chapterLayerNorm(const torch::Tensor& x, const torch::nn::LayerNorm& ln, double eps)
{
    const auto mean = x.mean(-1, true);
    const auto var = (x - mean).pow(2).mean(-1, true);
    return ln->weight * (x - mean) / torch::sqrt(var + eps) + ln->bias;
}

torch::Tensor chapterGelu(const torch::Tensor& x)
{
    return 0.5 * x * (1 + torch::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x.pow(3))));
}

torch::Tensor chapterAttention(const torch::Tensor& x, sft::CausalSelfAttentionImpl& attn, int64_t heads)
{
    const int64_t B = x.size(0), T = x.size(1), d = x.size(2), hd = d / heads;
    const auto w = attn.c_attn->weight.chunk(3, 0);
    const auto b = attn.c_attn->bias.chunk(3, 0);
    const auto split = [&](const torch::Tensor& t) { return t.view({B, T, heads, hd}).transpose(1, 2); };
    const auto q = split(torch::matmul(x, w[0].t()) + b[0]);
    const auto k = split(torch::matmul(x, w[1].t()) + b[1]);
    const auto v = split(torch::matmul(x, w[2].t()) + b[2]);
    auto scores = torch::matmul(q, k.transpose(2, 3));
    scores = scores.masked_fill(torch::triu(torch::ones({T, T}), 1).to(torch::kBool), -INFINITY);
    const auto weights = torch::softmax(scores / std::sqrt(double(hd)), -1);
    const auto context = torch::matmul(weights, v).transpose(1, 2).reshape({B, T, d});
    return torch::matmul(context, attn.c_proj->weight.t()) + attn.c_proj->bias;
}

torch::Tensor chapterForward(Gpt& model, const torch::Tensor& tokens)
{
    const GptConfig& c = model->config();
    const int64_t T = tokens.size(1);
    torch::Tensor x = model->wte->weight.index_select(0, tokens.flatten()).view({tokens.size(0), T, -1}) +
                      model->wpe->weight.slice(0, 0, T);
    for (size_t i = 0; i < model->h->size(); ++i) {
        auto& block = model->h->at<sft::BlockImpl>(i);
        x = x + chapterAttention(chapterLayerNorm(x, block.ln_1, c.layerNormEps), *block.attn, c.nHeads);
        const auto h = chapterLayerNorm(x, block.ln_2, c.layerNormEps);
        const auto ff = torch::matmul(chapterGelu(torch::matmul(h, block.mlp->c_fc->weight.t()) + block.mlp->c_fc->bias),
                                      block.mlp->c_proj->weight.t()) +
                        block.mlp->c_proj->bias;
        x = x + ff;
    }
    return torch::matmul(chapterLayerNorm(x, model->ln_f, c.layerNormEps), model->lm_head->weight.t());
}

bool close(const torch::Tensor& a, const torch::Tensor& b) { return torch::allclose(a, b, 1e-4, 1e-5); }

} // namespace

class TestGpt : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { torch::manual_seed(0); }
    void modulesHaveHuggingFaceNames();
    void shapes();
    void matchesTheChaptersForward();
    void laterTokensDoNotChangeEarlierLogits();
    void headOfFeaturesIsForward();
    void tooLongInputIsRefused();
    void cachedDecodingMatchesFullForward();
    void leftPaddedBatchMatchesPromptsAlone();
    void selectRowsKeepsTheChosenRows();
    void initWeightsIsDeterministicAndGpt2Like();
    void dropoutOnlyWhileTraining();
    void bf16GeluIsTheFp32GeluRoundedOnce();
    void fewRowsProductIsTorchsLinear();
    void decodeAttentionIsSoftmaxAttention();
    void ourParallelForUsesEveryThread();
};

void TestGpt::modulesHaveHuggingFaceNames()
{
    Gpt model(smallConfig());
    const auto params = model->named_parameters();
    for (const char* name : {"wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.attn.c_attn.weight",
                             "h.0.attn.c_attn.bias", "h.1.attn.c_proj.bias", "h.1.ln_2.bias", "h.1.mlp.c_fc.weight",
                             "h.1.mlp.c_proj.weight", "ln_f.weight", "lm_head.weight"})
        QVERIFY2(params.contains(name), name);
    QVERIFY(!params.contains("lm_head.bias"));
    QCOMPARE(params["h.0.attn.c_attn.weight"].sizes(), torch::IntArrayRef({48, 16}));
    QVERIFY(model->named_buffers().is_empty());
    QVERIFY(model->lm_head->weight.data_ptr() != model->wte->weight.data_ptr());
}

void TestGpt::shapes()
{
    Gpt model = randomModel(smallConfig());
    const auto tokens = torch::randint(0, 97, {3, 7}, torch::kLong);
    QCOMPARE(model->forward(tokens).sizes(), torch::IntArrayRef({3, 7, 97}));
    QCOMPARE(model->features(tokens).sizes(), torch::IntArrayRef({3, 7, 16}));
}

void TestGpt::matchesTheChaptersForward()
{
    GptConfig config = smallConfig();
    config.layerNormEps = 1e-3; // a value other than the default, so that the config's is used
    Gpt model = randomModel(config);
    const auto tokens = torch::randint(0, 97, {2, 9}, torch::kLong);
    torch::NoGradGuard noGrad;
    const auto expected = chapterForward(model, tokens);
    const auto logits = model->forward(tokens);
    QVERIFY(expected.abs().max().item<float>() > 1.0f);
    QVERIFY2(close(logits, expected), std::to_string((logits - expected).abs().max().item<float>()).c_str());
}

void TestGpt::laterTokensDoNotChangeEarlierLogits()
{
    Gpt model = randomModel(smallConfig());
    const auto a = ids({5, 17, 3, 88, 42, 9});
    auto b = a.clone();
    b[0][4] = 60;
    const auto la = model->forward(a), lb = model->forward(b);
    QVERIFY(close(la.slice(1, 0, 4), lb.slice(1, 0, 4)));
    QVERIFY(!close(la.slice(1, 4), lb.slice(1, 4)));
}

void TestGpt::headOfFeaturesIsForward()
{
    Gpt model = randomModel(smallConfig());
    const auto tokens = torch::randint(0, 97, {2, 5}, torch::kLong);
    QVERIFY(torch::equal(model->head(model->features(tokens)), model->forward(tokens)));
}

void TestGpt::tooLongInputIsRefused()
{
    Gpt model = randomModel(smallConfig());
    QVERIFY_THROWS_EXCEPTION(sft::ConfigError, model->forward(torch::zeros({1, 17}, torch::kLong)));
}

// Decoding position by position gives the full forward's logits: into a cache that grows as it
// goes with every position's logits, and into one with room for all 9 positions, written in
// place, with the last position's logits only.
void TestGpt::cachedDecodingMatchesFullForward()
{
    Gpt model = randomModel(smallConfig());
    torch::NoGradGuard noGrad;
    const auto tokens = ids({5, 17, 3, 88, 42, 9, 61, 0, 96});
    const auto full = model->forward(tokens);
    for (const bool withRoom : {false, true}) {
        KvCache cache;
        cache.reserve = withRoom ? 9 : 0;
        const auto logits = withRoom ? sft::GptImpl::Logits::Last : sft::GptImpl::Logits::All;
        const auto prefill =
            model->forwardCached(tokens.slice(1, 0, 4), torch::arange(4).unsqueeze(0), {}, cache, logits);
        QCOMPARE(cache.length(), 4);
        QVERIFY(close(prefill, withRoom ? full.slice(1, 3, 4) : full.slice(1, 0, 4)));
        const void* const keys = cache.keys.back().data_ptr();
        const void* const values = cache.values.front().data_ptr();
        for (int64_t t = 4; t < 9; ++t) {
            const auto step = model->forwardCached(tokens.slice(1, t, t + 1), torch::full({1, 1}, t, torch::kLong),
                                                   {}, cache, logits);
            QVERIFY2(close(step, full.slice(1, t, t + 1)), ("position " + std::to_string(t)).c_str());
            QCOMPARE(cache.keys.back().data_ptr() == keys, withRoom);
            QCOMPARE(cache.values.front().data_ptr() == values, withRoom);
        }
        QCOMPARE(cache.length(), 9);
    }
}

void TestGpt::leftPaddedBatchMatchesPromptsAlone()
{
    Gpt model = randomModel(smallConfig());
    torch::NoGradGuard noGrad;
    const std::vector<int64_t> shortPrompt{7, 30, 2}, longPrompt{11, 4, 50, 23, 8, 66};
    const std::vector<int64_t> continuation{12, 44, 1};
    const int64_t pad = 96;

    // Row 0 is the short prompt, left-padded to the long one's length; positions start at its first token.
    const auto batch = torch::tensor(std::vector<int64_t>{pad, pad, pad, 7, 30, 2, 11, 4, 50, 23, 8, 66}).view({2, 6});
    const auto positions = torch::tensor({0, 0, 0, 0, 1, 2, 0, 1, 2, 3, 4, 5}, torch::kLong).view({2, 6});
    auto valid = torch::tensor({0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}, torch::kBool).view({2, 6});

    KvCache cache;
    auto logits = model->forwardCached(batch, positions, valid, cache);
    QVERIFY(torch::isfinite(logits).all().item<bool>());
    std::vector<torch::Tensor> shortSteps{logits[0][5]}, longSteps{logits[1][5]};
    for (size_t s = 0; s < continuation.size(); ++s) {
        valid = torch::cat({valid, torch::ones({2, 1}, torch::kBool)}, 1);
        const auto next = torch::full({2, 1}, continuation[s], torch::kLong);
        const auto pos = torch::tensor({int64_t(3 + s), int64_t(6 + s)}, torch::kLong).view({2, 1});
        logits = model->forwardCached(next, pos, valid, cache);
        shortSteps.push_back(logits[0][0]);
        longSteps.push_back(logits[1][0]);
    }

    const auto alone = [&](std::vector<int64_t> prompt) {
        prompt.insert(prompt.end(), continuation.begin(), continuation.end());
        return model->forward(ids(prompt))[0];
    };
    const auto shortAlone = alone(shortPrompt), longAlone = alone(longPrompt);
    for (size_t s = 0; s < shortSteps.size(); ++s) {
        QVERIFY2(close(shortSteps[s], shortAlone[2 + s]), ("short prompt, step " + std::to_string(s)).c_str());
        QVERIFY2(close(longSteps[s], longAlone[5 + s]), ("long prompt, step " + std::to_string(s)).c_str());
    }
}

void TestGpt::selectRowsKeepsTheChosenRows()
{
    Gpt model = randomModel(smallConfig());
    torch::NoGradGuard noGrad;
    const auto prompts = torch::tensor({3, 9, 27, 81, 5, 15, 45, 40}, torch::kLong).view({2, 4});
    const auto positions = torch::arange(4).repeat({2, 1});
    KvCache cache;
    model->forwardCached(prompts, positions, {}, cache);
    cache.selectRows(torch::tensor({1}, torch::kLong));
    QCOMPARE(cache.keys.front().size(0), 1);
    const auto step = model->forwardCached(ids({20}), torch::full({1, 1}, 4, torch::kLong), {}, cache);
    const auto expected = model->forward(ids({5, 15, 45, 40, 20}));
    QVERIFY(close(step[0][0], expected[0][4]));
}

void TestGpt::initWeightsIsDeterministicAndGpt2Like()
{
    GptConfig config = smallConfig();
    config.embDim = 64;
    config.vocabSize = 500;
    Gpt a(config), b(config), c(config);

    torch::manual_seed(99);
    const auto before = torch::randn({4});
    torch::manual_seed(99);
    a->initWeights(7);
    QVERIFY2(torch::equal(torch::randn({4}), before), "initWeights must not consume the global RNG");
    b->initWeights(7);
    c->initWeights(8);

    const auto pa = a->named_parameters(), pb = b->named_parameters(), pc = c->named_parameters();
    for (const auto& item : pa) {
        QVERIFY2(torch::equal(item.value(), pb[item.key()]), item.key().c_str());
        if (item.key().find("weight") != std::string::npos && item.value().dim() == 2)
            QVERIFY2(!torch::equal(item.value(), pc[item.key()]), item.key().c_str());
    }
    QCOMPARE(pa["h.1.attn.c_attn.bias"].abs().sum().item<float>(), 0.0f);
    QVERIFY(torch::equal(pa["h.0.ln_1.weight"], torch::ones({64})));
    QVERIFY(torch::equal(pa["ln_f.bias"], torch::zeros({64})));
    for (const char* name : {"wte.weight", "wpe.weight", "h.0.mlp.c_fc.weight", "lm_head.weight"}) {
        const auto w = pa[name];
        QVERIFY2(std::abs(w.std().item<double>() - 0.02) < 0.002, name);
        QVERIFY2(std::abs(w.mean().item<double>()) < 0.002, name);
    }
    QVERIFY(!torch::equal(pa["wte.weight"].slice(0, 0, 16), pa["wpe.weight"].slice(0, 0, 16)));
}

void TestGpt::dropoutOnlyWhileTraining()
{
    GptConfig config = smallConfig();
    config.dropRate = 0.5;
    Gpt dropping = randomModel(config, 3);
    Gpt plain = randomModel(smallConfig(), 3); // same weights, no dropout
    const auto tokens = torch::randint(0, 97, {2, 8}, torch::kLong);
    dropping->eval();
    QVERIFY(torch::equal(dropping->forward(tokens), plain->forward(tokens)));
    dropping->train();
    const auto first = dropping->forward(tokens), second = dropping->forward(tokens);
    QVERIFY(!close(first, second));
    QVERIFY(!close(first, plain->forward(tokens)));
}

// bf16 activations: GPT-2's GELU computed in float registers and rounded once, forward and
// backward: at least 99.9% of the values are the exact function's (double) rounding to bf16
// and none is more than one bf16 step away (LibTorch 1.13's own bf16 kernel rounds every
// intermediate result and misses more; its fp32 kernel loses precision where 1 + tanh cancels).
void TestGpt::bf16GeluIsTheFp32GeluRoundedOnce()
{
    torch::Tensor x = (torch::randn({100003}) * 4).to(torch::kBFloat16);
    x.index_put_({torch::indexing::Slice(0, 4)}, torch::tensor({0.0, -30.0, 30.0, 1e-3}).to(torch::kBFloat16));
    const torch::Tensor dy = torch::randn({100003}).to(torch::kBFloat16);
    const torch::Tensor exact = x.to(torch::kDouble).requires_grad_();
    // 0.5 x (1 + tanh(u)) as x sigmoid(2u): in double, without tanh's cancellation near -1.
    const torch::Tensor expected = exact * torch::sigmoid(2 * std::sqrt(2 / M_PI) * (exact + 0.044715 * exact.pow(3)));
    expected.backward(dy.to(torch::kDouble));
    const torch::Tensor xBf16 = x.clone().requires_grad_();
    const torch::Tensor y = sft::geluTanh(xBf16);
    y.backward(dy);
    QCOMPARE(y.scalar_type(), torch::kBFloat16);
    QCOMPARE(xBf16.grad().scalar_type(), torch::kBFloat16);
    // Among values of 1e-6 and more (below, the clamp of the exponent decides the last bits).
    const auto sameShare = [](const torch::Tensor& got, const torch::Tensor& want) {
        const torch::Tensor sizable = want.abs().ge(1e-6);
        const torch::Tensor same = got.to(torch::kDouble).eq(want.to(torch::kBFloat16).to(torch::kDouble));
        return same.logical_and(sizable).sum().item<double>() / sizable.sum().item<double>();
    };
    const auto check = [&](const torch::Tensor& got, const torch::Tensor& want, const char* what) {
        const torch::Tensor rounded = want.to(torch::kBFloat16).to(torch::kDouble);
        // One bf16 step: 2^-7 of the value; values under 1e-6 count as that size.
        const torch::Tensor step = rounded.abs().clamp_min(1e-6) * std::ldexp(1.0, -7);
        const double worst = ((got.to(torch::kDouble) - rounded).abs() / step).max().item<double>();
        qInfo("%s: %.4f%% the exact value rounded once, worst %.2f bf16 steps away", what, 100 * sameShare(got, want), worst);
        QVERIFY2(sameShare(got, want) >= 0.999, what);
        QVERIFY2(worst <= 1.0, what);
    };
    check(y, expected.detach(), "forward");
    if (QTest::currentTestFailed())
        return;
    check(xBf16.grad(), exact.grad(), "backward");
    qInfo("LibTorch's bf16 kernel: %.4f%% the exact value rounded once",
          100 * sameShare(torch::gelu(x, "tanh"), expected.detach()));
}

// Decoding's products of a few rows with a weight matrix: torch's linear to float rounding for
// 1 to 8 rows, with and without bias, widths with and without a remainder of 8; more rows, or
// a gradient wanted, are left to torch.
void TestGpt::fewRowsProductIsTorchsLinear()
{
    torch::NoGradGuard noGrad;
    for (const int64_t in : {768, 13}) {
        const torch::Tensor w = torch::randn({301, in}), b = torch::randn({301});
        for (int64_t rows = 1; rows <= 8; ++rows) {
            const torch::Tensor x = torch::randn({rows, 1, in});
            for (const torch::Tensor& bias : {b, torch::Tensor()}) {
                const torch::Tensor got = sft::skinnyLinear(x, w, bias);
                QVERIFY(got.defined());
                QCOMPARE(got.sizes(), (std::vector<int64_t>{rows, 1, 301}));
                QVERIFY(torch::allclose(got, torch::nn::functional::linear(x, w, bias), 1e-5, 1e-4));
            }
        }
    }
    const torch::Tensor w = torch::randn({16, 8});
    QVERIFY(!sft::skinnyLinear(torch::randn({9, 8}), w, {}).defined());
    QVERIFY(!sft::skinnyLinear(torch::randn({2, 8}).to(torch::kBFloat16), w.to(torch::kBFloat16), {}).defined());
    torch::AutoGradMode gradients(true);
    QVERIFY(!sft::skinnyLinear(torch::randn({2, 8}), w, {}).defined());
}

// The kernels above split their work with at::parallel_for, a template compiled into our own
// code: built without OpenMP's flag, its pragma is ignored and one thread does everything.
// One query per sequence against the cache's views of its keys (a prefix of a longer buffer):
// softmax attention to float rounding, head widths with and without a remainder of 8, padding
// keys hidden but the newest key always seen; with a gradient wanted it is left to torch.
void TestGpt::decodeAttentionIsSoftmaxAttention()
{
    torch::NoGradGuard noGrad;
    for (const int64_t width : {64, 13}) {
        const int64_t batch = 3, heads = 4, keys = 7;
        const torch::Tensor q = torch::randn({batch, 1, heads, width}).transpose(1, 2);
        const torch::Tensor k = torch::randn({batch, heads, 12, width}).narrow(2, 0, keys);
        const torch::Tensor v = torch::randn({batch, heads, 12, width}).narrow(2, 0, keys);
        torch::Tensor valid = torch::ones({batch, keys}, torch::kBool);
        valid[0].narrow(0, 0, 3).fill_(false);
        valid[2][keys - 1] = false; // a padding query still sees itself
        const double scale = 1.0 / std::sqrt(double(width));
        const torch::Tensor scores = torch::matmul(q, k.transpose(-2, -1)) * scale;
        const torch::Tensor hidden = valid.logical_not();
        hidden.select(1, keys - 1).fill_(false);
        for (const bool masked : {false, true}) {
            const torch::Tensor weights =
                torch::softmax(masked ? scores.masked_fill(hidden.view({batch, 1, 1, keys}), -INFINITY) : scores, -1);
            const torch::Tensor got = sft::decodeAttention(q, k, v, masked ? valid : torch::Tensor(), scale);
            QVERIFY(got.defined());
            QCOMPARE(got.sizes(), (std::vector<int64_t>{batch, heads, 1, width}));
            QVERIFY(torch::allclose(got, torch::matmul(weights, v), 1e-5, 1e-5));
        }
    }
    const torch::Tensor x = torch::randn({1, 2, 1, 8});
    QVERIFY(!sft::decodeAttention(torch::randn({1, 2, 2, 8}), x, x, {}, 1.0).defined());
    torch::AutoGradMode gradients(true);
    QVERIFY(!sft::decodeAttention(x, x, x, {}, 1.0).defined());
}

void TestGpt::ourParallelForUsesEveryThread()
{
    const int before = torch::get_num_threads();
    torch::set_num_threads(2);
    std::mutex mutex;
    std::set<std::thread::id> threads;
    at::parallel_for(0, 1 << 16, 1, [&](int64_t, int64_t) {
        const std::lock_guard<std::mutex> lock(mutex);
        threads.insert(std::this_thread::get_id());
    });
    torch::set_num_threads(before);
    QCOMPARE(threads.size(), size_t(2));
}

QTEST_APPLESS_MAIN(TestGpt)
#include "test_gpt.moc"
