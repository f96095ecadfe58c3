#include "core/model/decode_attention.h"

#include "core/util/cpu_features.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <torch/torch.h>

#include <immintrin.h>

#include <cmath>
#include <limits>
#include <vector>

namespace sft {

namespace {

__attribute__((target("avx2,fma"))) float dot(const float* a, const float* b, int64_t n)
{
    const int64_t vectorEnd = n - n % 8;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < vectorEnd; i += 8)
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, acc);
    float sum = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for (int64_t i = vectorEnd; i < n; ++i)
        sum += a[i] * b[i];
    return sum;
}

// y += weight * x over n floats.
__attribute__((target("avx2,fma"))) void addScaled(float* y, float weight, const float* x, int64_t n)
{
    const int64_t vectorEnd = n - n % 8;
    const __m256 w = _mm256_set1_ps(weight);
    for (int64_t i = 0; i < vectorEnd; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(w, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (int64_t i = vectorEnd; i < n; ++i)
        y[i] += weight * x[i];
}

struct Views {
    const float* q;
    const float* k;
    const float* v;
    const bool* valid; // [B, Tk] contiguous, or null
    float* y;          // [B, H, hd] contiguous
    int64_t heads, keys, width;
    int64_t qStride[2], kStride[3], vStride[3]; // batch, head (, position); the last dimension is contiguous
};

// One (sequence, head): scores, their softmax, and the weighted sum of values.
void attendOne(const Views& s, int64_t b, int64_t h, float scale, std::vector<float>& scores)
{
    const float* q = s.q + b * s.qStride[0] + h * s.qStride[1];
    const float* k = s.k + b * s.kStride[0] + h * s.kStride[1];
    const float* v = s.v + b * s.vStride[0] + h * s.vStride[1];
    const bool* valid = s.valid ? s.valid + b * s.keys : nullptr;
    float largest = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < s.keys; ++j) {
        const bool visible = !valid || valid[j] || j == s.keys - 1;
        scores[size_t(j)] = visible ? dot(q, k + j * s.kStride[2], s.width) * scale
                                    : -std::numeric_limits<float>::infinity();
        largest = std::max(largest, scores[size_t(j)]);
    }
    float total = 0.0f;
    for (int64_t j = 0; j < s.keys; ++j)
        total += scores[size_t(j)] = std::exp(scores[size_t(j)] - largest);
    float* y = s.y + (b * s.heads + h) * s.width;
    std::fill(y, y + s.width, 0.0f);
    for (int64_t j = 0; j < s.keys; ++j)
        if (scores[size_t(j)] != 0.0f)
            addScaled(y, scores[size_t(j)] / total, v + j * s.vStride[2], s.width);
}

bool handles(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, const torch::Tensor& keyValid)
{
    const auto plainFloat = [](const torch::Tensor& t) {
        return t.dim() == 4 && t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.stride(3) == 1;
    };
    if (!cpuHasAvx2Fma() || torch::GradMode::is_enabled() || !plainFloat(q) || !plainFloat(k) || !plainFloat(v))
        return false;
    const bool sameShape = q.size(2) == 1 && k.sizes() == v.sizes() && k.size(0) == q.size(0) &&
                           k.size(1) == q.size(1) && k.size(3) == q.size(3) && k.size(2) >= 1;
    const bool maskFits = !keyValid.defined() || (keyValid.scalar_type() == torch::kBool && keyValid.dim() == 2 &&
                                                  keyValid.size(0) == k.size(0) && keyValid.size(1) == k.size(2) &&
                                                  keyValid.device().is_cpu());
    return sameShape && maskFits;
}

} // namespace

torch::Tensor decodeAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                              const torch::Tensor& keyValid, double scale)
{
    if (!handles(q, k, v, keyValid))
        return {};
    RECORD_FUNCTION("sft::decode_attention", std::vector<c10::IValue>());
    const torch::Tensor valid = keyValid.defined() ? keyValid.contiguous() : torch::Tensor();
    torch::Tensor y = torch::empty({q.size(0), q.size(1), 1, q.size(3)}, q.options());
    const Views views{q.data_ptr<float>(),
                      k.data_ptr<float>(),
                      v.data_ptr<float>(),
                      valid.defined() ? valid.data_ptr<bool>() : nullptr,
                      y.data_ptr<float>(),
                      q.size(1),
                      k.size(2),
                      q.size(3),
                      {q.stride(0), q.stride(1)},
                      {k.stride(0), k.stride(1), k.stride(2)},
                      {v.stride(0), v.stride(1), v.stride(2)}};
    const int64_t heads = q.size(1);
    at::parallel_for(0, q.size(0) * heads, 1, [&](int64_t begin, int64_t end) {
        std::vector<float> scores(size_t(views.keys));
        for (int64_t i = begin; i < end; ++i)
            attendOne(views, i / heads, i % heads, float(scale), scores);
    });
    return y;
}

} // namespace sft
