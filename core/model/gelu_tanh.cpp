#include "core/model/gelu_tanh.h"

#include "core/util/cpu_features.h"

#include <ATen/Parallel.h>
#include <ATen/record_function.h>
#include <c10/util/BFloat16.h>
#include <torch/autograd.h>
#include <torch/torch.h>

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace sft {

namespace {

// 0.5 (1 + tanh(u)) is sigmoid(2u): x sigmoid(2u) keeps its precision where tanh(u) is near -1
// and 1 + tanh(u) would cancel. The derivative: s + 2 x s (1 - s) u'.
constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kCubic = 0.044715f;
// exp(88) is finite in float; beyond, sigmoid is 0 or 1 to float precision anyway.
constexpr float kExpClamp = 88.0f;
constexpr int64_t kGrain = 1 << 15;

float sigmoidOfTwiceInner(float x)
{
    const float twice = 2.0f * kSqrt2OverPi * (x + kCubic * x * x * x);
    return 1.0f / (1.0f + std::exp(-std::clamp(twice, -kExpClamp, kExpClamp)));
}

float forwardScalar(float x) { return x * sigmoidOfTwiceInner(x); }

float backwardScalar(float x, float dy)
{
    const float s = sigmoidOfTwiceInner(x);
    const float slope = kSqrt2OverPi * (1.0f + 3.0f * kCubic * x * x);
    return dy * (s + 2.0f * x * s * (1.0f - s) * slope);
}

// Cephes' expf: range reduction by ln 2, a degree-5 polynomial, the exponent set directly.
__attribute__((target("avx2,fma"))) __m256 exp8(__m256 x)
{
    const __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
}

__attribute__((target("avx2,fma"))) __m256 sigmoidOfTwiceInner8(__m256 x)
{
    const __m256 x3 = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
    __m256 minusTwice =
        _mm256_mul_ps(_mm256_set1_ps(-2.0f * kSqrt2OverPi), _mm256_fmadd_ps(_mm256_set1_ps(kCubic), x3, x));
    minusTwice = _mm256_min_ps(_mm256_max_ps(minusTwice, _mm256_set1_ps(-kExpClamp)), _mm256_set1_ps(kExpClamp));
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp8(minusTwice)));
}

__attribute__((target("avx2,fma"))) __m256 loadBf16(const c10::BFloat16* p)
{
    const __m128i bits = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(bits), 16));
}

// Round to nearest even, NaN to the quiet NaN 0x7FC0: c10::BFloat16's own rounding.
__attribute__((target("avx2,fma"))) void storeBf16(c10::BFloat16* p, __m256 v)
{
    const __m256i bits = _mm256_castps_si256(v);
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
    __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(bits, _mm256_add_epi32(lsb, _mm256_set1_epi32(0x7FFF))), 16);
    const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    rounded = _mm256_blendv_epi8(rounded, _mm256_set1_epi32(0x7FC0), nan);
    const __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(rounded), _mm256_extracti128_si256(rounded, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), packed);
}

__attribute__((target("avx2,fma"))) void forwardAvx2(const c10::BFloat16* x, c10::BFloat16* y, int64_t begin,
                                                    int64_t end)
{
    int64_t i = begin;
    for (; i + 8 <= end; i += 8) {
        const __m256 v = loadBf16(x + i);
        storeBf16(y + i, _mm256_mul_ps(v, sigmoidOfTwiceInner8(v)));
    }
    for (; i < end; ++i)
        y[i] = forwardScalar(float(x[i]));
}

__attribute__((target("avx2,fma"))) void backwardAvx2(const c10::BFloat16* x, const c10::BFloat16* dy,
                                                     c10::BFloat16* dx, int64_t begin, int64_t end)
{
    int64_t i = begin;
    const __m256 one = _mm256_set1_ps(1.0f);
    for (; i + 8 <= end; i += 8) {
        const __m256 v = loadBf16(x + i);
        const __m256 s = sigmoidOfTwiceInner8(v);
        const __m256 slope = _mm256_mul_ps(_mm256_set1_ps(2.0f * kSqrt2OverPi),
                                           _mm256_fmadd_ps(_mm256_set1_ps(3.0f * kCubic), _mm256_mul_ps(v, v), one));
        const __m256 spread = _mm256_mul_ps(_mm256_mul_ps(v, s), _mm256_mul_ps(_mm256_sub_ps(one, s), slope));
        storeBf16(dx + i, _mm256_mul_ps(loadBf16(dy + i), _mm256_add_ps(s, spread)));
    }
    for (; i < end; ++i)
        dx[i] = backwardScalar(float(x[i]), float(dy[i]));
}

bool fusible(const torch::Tensor& x)
{
    return cpuHasAvx2Fma() && x.device().is_cpu() && x.scalar_type() == torch::kBFloat16 && x.is_contiguous();
}

struct GeluTanhBf16 : torch::autograd::Function<GeluTanhBf16> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x)
    {
        RECORD_FUNCTION("sft::gelu_tanh_bf16", std::vector<c10::IValue>());
        ctx->save_for_backward({x});
        torch::Tensor y = torch::empty_like(x);
        const c10::BFloat16* in = x.data_ptr<c10::BFloat16>();
        c10::BFloat16* out = y.data_ptr<c10::BFloat16>();
        at::parallel_for(0, x.numel(), kGrain, [&](int64_t b, int64_t e) { forwardAvx2(in, out, b, e); });
        return y;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads)
    {
        RECORD_FUNCTION("sft::gelu_tanh_bf16_backward", std::vector<c10::IValue>());
        const torch::Tensor x = ctx->get_saved_variables()[0];
        const torch::Tensor dy = grads[0].contiguous().to(torch::kBFloat16);
        torch::Tensor dx = torch::empty_like(x);
        const c10::BFloat16* in = x.data_ptr<c10::BFloat16>();
        const c10::BFloat16* g = dy.data_ptr<c10::BFloat16>();
        c10::BFloat16* out = dx.data_ptr<c10::BFloat16>();
        at::parallel_for(0, x.numel(), kGrain, [&](int64_t b, int64_t e) { backwardAvx2(in, g, out, b, e); });
        return {dx};
    }
};

} // namespace

torch::Tensor geluTanh(const torch::Tensor& x)
{
    if (!fusible(x))
        return torch::gelu(x, "tanh");
    return GeluTanhBf16::apply(x);
}

} // namespace sft
