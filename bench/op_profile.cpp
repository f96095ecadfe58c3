#include "bench/op_profile.h"

#include <ATen/record_function.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace sft::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Frame {
    const char* name;
    Clock::time_point start;
    double children = 0;
};

std::mutex totalsMutex;
std::map<std::string, OpTime> totals;
thread_local std::vector<Frame> stack;
bool recording = false;
at::CallbackHandle handle = 0;

std::unique_ptr<at::ObserverContext> enter(const at::RecordFunction& fn)
{
    stack.push_back({fn.name(), Clock::now()});
    return nullptr;
}

void leave(const at::RecordFunction&, at::ObserverContext*)
{
    if (stack.empty()) // begun before the recording started
        return;
    const Frame frame = stack.back();
    stack.pop_back();
    const double elapsed = std::chrono::duration<double>(Clock::now() - frame.start).count();
    if (!stack.empty())
        stack.back().children += elapsed;
    std::lock_guard<std::mutex> lock(totalsMutex);
    OpTime& t = totals[frame.name];
    t.name = frame.name;
    t.seconds += elapsed - frame.children;
    ++t.calls;
}

bool contains(const std::string& name, std::initializer_list<const char*> parts)
{
    return std::any_of(parts.begin(), parts.end(), [&](const char* p) { return name.find(p) != std::string::npos; });
}

std::vector<OpTime> sorted(std::vector<OpTime> rows)
{
    std::sort(rows.begin(), rows.end(), [](const OpTime& a, const OpTime& b) { return a.seconds > b.seconds; });
    return rows;
}

} // namespace

OpProfile::OpProfile()
{
    if (recording)
        throw std::logic_error("one OpProfile at a time");
    totals.clear();
    recording = true;
    handle = at::addGlobalCallback(at::RecordFunctionCallback(enter, leave).scopes(
        {at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION, at::RecordScope::USER_SCOPE}));
}

OpProfile::~OpProfile() { stop(); }

void OpProfile::stop()
{
    if (!recording)
        return;
    at::removeCallback(handle);
    recording = false;
}

std::vector<OpTime> OpProfile::byName() const
{
    std::lock_guard<std::mutex> lock(totalsMutex);
    std::vector<OpTime> rows;
    for (const auto& [name, t] : totals)
        rows.push_back(t);
    return sorted(rows);
}

std::string opCategory(const std::string& name)
{
    if (contains(name, {"mm", "addmm", "bmm", "matmul", "linear", "Mm", "Bmm"}))
        return "gemm";
    if (contains(name, {"_to_copy", "aten::to", "ToCopy", "copy_", "CopyBackwards", "clone", "contiguous"}))
        return "cast/copy";
    if (contains(name, {"nll_loss", "NllLoss", "log_softmax", "LogSoftmax", "cross_entropy"}))
        return "cross-entropy";
    if (contains(name, {"softmax", "Softmax", "masked_fill", "MaskedFill", "triu", "logical_", "diagonal"}))
        return "attention softmax+mask";
    if (contains(name, {"layer_norm", "LayerNorm"}))
        return "layernorm";
    if (contains(name, {"gelu", "Gelu"})) // torch's, and sft::gelu_tanh_bf16
        return "gelu";
    if (contains(name, {"embedding", "Embedding", "index_select", "IndexSelect"}))
        return "embedding";
    if (contains(name, {"adamw", "AdamW"}))
        return "optimizer";
    return "other";
}

std::vector<OpTime> byCategory(const std::vector<OpTime>& ops)
{
    std::map<std::string, OpTime> sums;
    for (const OpTime& op : ops) {
        OpTime& s = sums[opCategory(op.name)];
        s.name = opCategory(op.name);
        s.seconds += op.seconds;
        s.calls += op.calls;
    }
    std::vector<OpTime> rows;
    for (const auto& [name, s] : sums)
        rows.push_back(s);
    return sorted(rows);
}

} // namespace sft::bench
