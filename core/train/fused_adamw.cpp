#include "core/train/fused_adamw.h"

#include "core/util/cpu_features.h"

#include <ATen/Parallel.h>
#include <c10/util/string_utils.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace sft {
namespace {

// One step's coefficients, as torch::optim::AdamW derives them in double and its float
// kernels receive them.
struct Coefficients {
    float decay;        // 1 - lr * weight_decay
    float beta1, oneMinusBeta1;
    float beta2, oneMinusBeta2;
    float biasCorrection2Sqrt;
    float eps;
    float negStepSize;  // -lr / (1 - beta1^t)
};

Coefficients coefficientsAt(const torch::optim::AdamWOptions& o, int64_t step)
{
    const auto [beta1, beta2] = o.betas();
    const double decay = o.weight_decay() != 0 ? 1 - o.lr() * o.weight_decay() : 1.0;
    return {float(decay),
            float(beta1), float(1 - beta1),
            float(beta2), float(1 - beta2),
            float(std::sqrt(1 - std::pow(beta2, double(step)))),
            float(o.eps()),
            float(-o.lr() / (1 - std::pow(beta1, double(step))))};
}

// In double lanes: a model's hundreds of millions of squares summed in float would lose digits.
__attribute__((target("avx2,fma"))) double squaresAvx2(const float* g, int64_t n)
{
    __m256d low = _mm256_setzero_pd(), high = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(g + i);
        const __m256d a = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), b = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
        low = _mm256_fmadd_pd(a, a, low);
        high = _mm256_fmadd_pd(b, b, high);
    }
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, _mm256_add_pd(low, high));
    double sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    for (; i < n; ++i)
        sum += double(g[i]) * g[i];
    return sum;
}

double squares(const float* g, int64_t n)
{
    if (cpuHasAvx2Fma())
        return squaresAvx2(g, n);
    double sum = 0;
    for (int64_t i = 0; i < n; ++i)
        sum += double(g[i]) * g[i];
    return sum;
}

// Per element, torch's sequence: p *= decay; m = m*b1 + (1-b1)*g; v = v*b2 + (1-b2)*g*g;
// p += -step_size * m / (sqrt(v) / sqrt(bc2) + eps). Returns the sum of the gradient's squares,
// taken block by block while each block is in the cache, and added up in block order: the same
// sum on any number of threads (ranks of a data-parallel run clip by it alike).
double update(float* p, const float* g, float* m, float* v, int64_t n, const Coefficients& c)
{
    constexpr int64_t kBlock = 4096, kGrainBlocks = 16;
    std::vector<double> blockSums(size_t((n + kBlock - 1) / kBlock));
    at::parallel_for(int64_t(0), int64_t(blockSums.size()), kGrainBlocks, [&](int64_t first, int64_t last) {
        for (int64_t block = first; block < last; ++block) {
            const int64_t begin = block * kBlock, end = std::min(n, begin + kBlock);
            for (int64_t i = begin; i < end; ++i) {
                const float grad = g[i];
                const float mi = m[i] * c.beta1 + c.oneMinusBeta1 * grad;
                const float vi = v[i] * c.beta2 + c.oneMinusBeta2 * grad * grad;
                const float denom = std::sqrt(vi) / c.biasCorrection2Sqrt + c.eps;
                m[i] = mi;
                v[i] = vi;
                p[i] = p[i] * c.decay + c.negStepSize * mi / denom;
            }
            blockSums[size_t(block)] = squares(g + begin, end - begin);
        }
    });
    return std::accumulate(blockSums.begin(), blockSums.end(), 0.0);
}

bool fusibleTensor(const torch::Tensor& t)
{
    return t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() && !t.is_sparse();
}

} // namespace

bool FusedAdamW::fusible() const
{
    for (const auto& group : param_groups_) {
        if (static_cast<const torch::optim::AdamWOptions&>(group.options()).amsgrad())
            return false;
        for (const auto& p : group.params()) {
            if (!p.grad().defined())
                continue;
            if (!fusibleTensor(p) || !fusibleTensor(p.grad()))
                return false;
            const auto found = state_.find(c10::guts::to_string(p.unsafeGetTensorImpl()));
            if (found == state_.end())
                continue;
            const auto& state = static_cast<const torch::optim::AdamWParamState&>(*found->second);
            if (!fusibleTensor(state.exp_avg()) || !fusibleTensor(state.exp_avg_sq()))
                return false;
        }
    }
    return true;
}

// As torch's AdamW keys and creates it, so checkpoints of either load into the other.
torch::optim::AdamWParamState& FusedAdamW::stateOf(const torch::Tensor& p)
{
    const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
    auto found = state_.find(key);
    if (found == state_.end()) {
        auto fresh = std::make_unique<torch::optim::AdamWParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        found = state_.emplace(key, std::move(fresh)).first;
    }
    return static_cast<torch::optim::AdamWParamState&>(*found->second);
}

torch::Tensor FusedAdamW::step(LossClosure closure)
{
    lastGradientNorm_.reset();
    if (!fusible())
        return torch::optim::AdamW::step(std::move(closure));
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure) {
        at::AutoGradMode enableGrad(true);
        loss = closure();
    }
    double sumOfSquares = 0;
    for (auto& group : param_groups_) {
        const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
        for (auto& p : group.params()) {
            if (!p.grad().defined())
                continue;
            auto& state = stateOf(p);
            state.step(state.step() + 1);
            sumOfSquares += update(p.data_ptr<float>(), p.grad().data_ptr<float>(), state.exp_avg().data_ptr<float>(),
                                   state.exp_avg_sq().data_ptr<float>(), p.numel(),
                                   coefficientsAt(options, state.step()));
        }
    }
    lastGradientNorm_ = std::sqrt(sumOfSquares);
    return loss;
}

} // namespace sft
