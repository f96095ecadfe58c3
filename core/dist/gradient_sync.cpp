#include "core/dist/gradient_sync.h"

#include <torch/torch.h>

#include <chrono>

namespace sft {

struct GradientSync::Bucket {
    std::vector<at::Tensor> parameters;
    at::Tensor flat; // the gradients one after another
};

GradientSync::GradientSync(ProcessGroup& group, std::vector<at::Tensor> parameters, int64_t bucketBytes)
    : group_(group)
{
    Bucket open;
    int64_t elements = 0;
    auto close = [&] {
        open.flat = torch::zeros({elements}, torch::kFloat32);
        buckets_.push_back(std::move(open));
        open = Bucket{};
        elements = 0;
    };
    for (at::Tensor& p : parameters) {
        if (elements > 0 && (elements + p.numel()) * 4 > bucketBytes)
            close();
        open.parameters.push_back(p);
        elements += p.numel();
    }
    if (elements > 0)
        close();
}

GradientSync::~GradientSync() = default;

int64_t GradientSync::bytesPerStep() const
{
    int64_t bytes = 0;
    for (const Bucket& b : buckets_)
        bytes += b.flat.numel() * 4;
    return bytes;
}

void GradientSync::sum(std::vector<double>& scalars)
{
    const auto start = std::chrono::steady_clock::now();
    torch::NoGradGuard noGrad;
    std::vector<at::Tensor> flats;
    for (Bucket& b : buckets_) {
        int64_t at = 0;
        for (at::Tensor& p : b.parameters) {
            at::Tensor slot = b.flat.narrow(0, at, p.numel());
            if (p.grad().defined())
                slot.copy_(p.grad().reshape(-1));
            else
                slot.zero_();
            at += p.numel();
        }
        flats.push_back(b.flat);
    }
    // In double, as a single process adds them up (a loss summed in fp32 would lose digits), in
    // the same exchange as the gradients.
    at::Tensor values = torch::tensor(scalars, torch::kFloat64);
    if (!scalars.empty())
        flats.push_back(values);
    group_.sum(flats);
    for (Bucket& b : buckets_) {
        int64_t at = 0;
        for (at::Tensor& p : b.parameters) {
            const at::Tensor summed = b.flat.narrow(0, at, p.numel()).view(p.sizes());
            if (p.grad().defined())
                p.mutable_grad().copy_(summed);
            else
                p.mutable_grad() = summed.clone();
            at += p.numel();
        }
    }
    for (size_t i = 0; i < scalars.size(); ++i)
        scalars[i] = values[int64_t(i)].item<double>();
    lastSeconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace sft
