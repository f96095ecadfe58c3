#include "core/io/weight_source.h"

#include "core/util/error.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <utility>
#include <vector>

namespace sft {

namespace {

std::vector<int64_t> storedShape(const torch::Tensor& target, WeightLayout layout)
{
    std::vector<int64_t> shape = target.sizes().vec();
    if (layout == WeightLayout::AsIs)
        return shape;
    std::swap(shape[0], shape[1]);
    if (layout == WeightLayout::TransposedUnderOne)
        shape.insert(shape.begin(), 1);
    return shape;
}

torch::Tensor asParameter(const torch::Tensor& stored, WeightLayout layout)
{
    switch (layout) {
    case WeightLayout::AsIs:
        return stored;
    case WeightLayout::Transposed:
        return stored.t();
    case WeightLayout::TransposedUnderOne:
        return stored[0].t();
    }
    return stored;
}

} // namespace

std::string shapeText(torch::IntArrayRef sizes)
{
    std::string s = "[";
    for (size_t i = 0; i < sizes.size(); ++i)
        s += (i ? ", " : "") + std::to_string(sizes[i]);
    return s + "]";
}

WeightSource::WeightSource(TensorMap tensors, std::string file, std::string shapesFrom, WeightUse use)
    : tensors_(std::move(tensors)), file_(std::move(file)), shapesFrom_(std::move(shapesFrom)), use_(use)
{
}

torch::Tensor WeightSource::take(const std::string& name, torch::IntArrayRef expected)
{
    auto it = tensors_.find(name);
    if (it == tensors_.end())
        throw WeightsError(file_ + " has no tensor '" + name + "'; it does not hold a GPT-2 of " + shapesFrom_);
    torch::Tensor t = std::move(it->second);
    tensors_.erase(it);
    if (t.sizes() != expected)
        throw WeightsError(file_ + ": tensor '" + name + "' has shape " + shapeText(t.sizes()) + ", expected " +
                           shapeText(expected) + " from " + shapesFrom_);
    if (!t.is_floating_point())
        throw WeightsError(file_ + ": tensor '" + name + "' holds " + std::string(c10::toString(t.scalar_type())) +
                           ", not floating-point weights");
    return t.to(torch::kFloat);
}

void WeightSource::fill(const std::vector<WeightSlot>& slots)
{
    torch::NoGradGuard noGrad;
    std::vector<std::pair<torch::Tensor, torch::Tensor>> copies; // (parameter, file's tensor)
    for (const WeightSlot& slot : slots) {
        const torch::Tensor stored = take(slot.name, storedShape(slot.target, slot.layout));
        const torch::Tensor value = asParameter(stored, slot.layout);
        torch::Tensor target = slot.target;
        // A view (a third of a fused matrix) cannot take over another tensor's memory.
        const bool inPlace = !target.is_view() && (use_ == WeightUse::Evaluation ||
                                                   (use_ == WeightUse::Inference && slot.layout == WeightLayout::AsIs));
        if (inPlace)
            target.set_data(value);
        else
            copies.emplace_back(target, value);
    }
    // A transposing copy runs on one thread, and most of a copy's time is the first touch of the
    // parameter's pages: the weights are copied a few at a time on every intra-op thread.
    at::parallel_for(0, int64_t(copies.size()), 1, [&](int64_t begin, int64_t end) {
        torch::NoGradGuard noGradHere;
        for (int64_t i = begin; i < end; ++i)
            copies[size_t(i)].first.copy_(copies[size_t(i)].second);
    });
}

void WeightSource::fillModel(std::vector<WeightSlot> slots, Gpt& model, const std::string& headName)
{
    const bool ownHead = has(headName);
    if (ownHead)
        slots.push_back({headName, model->lm_head->weight});
    fill(slots);
    if (!ownHead) {
        torch::NoGradGuard noGrad;
        if (use_ != WeightUse::Training)
            model->lm_head->weight.set_data(model->wte->weight);
        else
            model->lm_head->weight.copy_(model->wte->weight);
    }
    requireAllTaken();
}

void WeightSource::requireAllTaken() const
{
    if (tensors_.empty())
        return;
    std::string names;
    int listed = 0;
    for (const auto& entry : tensors_) {
        if (listed++ == 5) {
            names += ", ...";
            break;
        }
        names += (names.empty() ? "'" : ", '") + entry.first + "'";
    }
    throw WeightsError(file_ + " holds " + std::to_string(tensors_.size()) + " tensors a GPT-2 of " + shapesFrom_ +
                       " does not have (" + names + "); is it a different architecture?");
}

} // namespace sft
