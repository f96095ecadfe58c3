// FusedAdamW against torch::optim::AdamW: the same parameters after several steps (two groups,
// one without weight decay, sizes that don't fill a vector register, a parameter without a
// gradient), checkpoints that load into either and continue alike, and torch's own step where
// the fused path does not apply (amsgrad, a non-contiguous parameter).

#include "core/train/fused_adamw.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <memory>
#include <vector>

using namespace sft;

namespace {

using torch::optim::AdamW;
using torch::optim::AdamWOptions;
using torch::optim::OptimizerParamGroup;

std::vector<torch::Tensor> makeParameters()
{
    torch::manual_seed(7);
    std::vector<torch::Tensor> params;
    for (int64_t n : {1, 7, 1000, 33 * 65, 70001})
        params.push_back(torch::randn({n}).requires_grad_());
    params.push_back(torch::randn({12, 5}).requires_grad_());
    return params;
}

std::vector<torch::Tensor> copyOf(const std::vector<torch::Tensor>& params)
{
    std::vector<torch::Tensor> copies;
    for (const auto& p : params)
        copies.push_back(p.detach().clone().requires_grad_());
    return copies;
}

// The chapter's AdamW with the second group undecayed (as --no-decay-bias-norm makes it).
template <class Optimizer>
std::unique_ptr<AdamW> optimizerFor(const std::vector<torch::Tensor>& params, bool amsgrad = false)
{
    const auto options = AdamWOptions(5e-3).weight_decay(0.1).betas({0.9, 0.95}).eps(1e-6).amsgrad(amsgrad);
    auto none = std::make_unique<AdamWOptions>(options);
    none->weight_decay(0);
    std::vector<OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<torch::Tensor>(params.begin(), params.begin() + 3));
    groups.emplace_back(std::vector<torch::Tensor>(params.begin() + 3, params.end()), std::move(none));
    return std::make_unique<Optimizer>(groups, options);
}

// Gradients drawn from `step`, the same for every copy; the last parameter gets none on odd steps.
void setGradients(const std::vector<torch::Tensor>& params, int step)
{
    torch::manual_seed(100 + step);
    for (size_t i = 0; i < params.size(); ++i) {
        const bool none = i + 1 == params.size() && step % 2 == 1;
        params[i].mutable_grad() = none ? torch::Tensor() : torch::randn_like(params[i]);
    }
}

void run(AdamW& optimizer, const std::vector<torch::Tensor>& params, int from, int to)
{
    for (int step = from; step < to; ++step) {
        setGradients(params, step);
        optimizer.step();
    }
}

double largestRelativeGap(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    double gap = 0;
    for (size_t i = 0; i < a.size(); ++i)
        gap = std::max(gap, ((a[i] - b[i]).abs() / (b[i].abs() + 1e-3)).max().item<double>());
    return gap;
}

bool identical(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b)
{
    for (size_t i = 0; i < a.size(); ++i)
        if (!torch::equal(a[i], b[i]))
            return false;
    return true;
}

} // namespace

class TestFusedAdamW : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void matchesTorchAdamW()
    {
        const auto ours = makeParameters();
        const auto theirs = copyOf(ours);
        run(*optimizerFor<FusedAdamW>(ours), ours, 0, 20);
        run(*optimizerFor<AdamW>(theirs), theirs, 0, 20);
        QVERIFY(!identical(ours, makeParameters())); // the steps moved the weights
        QVERIFY2(largestRelativeGap(ours, theirs) < 1e-5,
                 qPrintable(QString::number(largestRelativeGap(ours, theirs))));
    }

    void checkpointsLoadIntoEitherAndContinueAlike()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("optimizer.pt").toStdString();
        const auto params = makeParameters();
        auto fused = optimizerFor<FusedAdamW>(params);
        run(*fused, params, 0, 5);
        torch::save(*fused, path);

        const auto asTorch = copyOf(params);
        auto torchLoaded = optimizerFor<AdamW>(asTorch);
        torch::load(*torchLoaded, path);
        const auto asFused = copyOf(params);
        auto fusedLoaded = optimizerFor<FusedAdamW>(asFused);
        torch::load(*fusedLoaded, path);

        run(*torchLoaded, asTorch, 5, 10);
        run(*fusedLoaded, asFused, 5, 10);
        run(*fused, params, 5, 10);
        QVERIFY(identical(asFused, params)); // loading a checkpoint changes nothing
        QVERIFY(largestRelativeGap(asFused, asTorch) < 1e-5);
    }

    void fallsBackToTorchWhereNotFusible()
    {
        const auto ours = makeParameters();
        const auto theirs = copyOf(ours);
        run(*optimizerFor<FusedAdamW>(ours, true), ours, 0, 4);
        run(*optimizerFor<AdamW>(theirs, true), theirs, 0, 4);
        QVERIFY(identical(ours, theirs));

        const torch::Tensor base = torch::randn({8, 6});
        const torch::Tensor strided = base.t().detach().requires_grad_();
        const torch::Tensor twin = strided.detach().clone().t().contiguous().t().requires_grad_();
        FusedAdamW fused({strided}, AdamWOptions(1e-2));
        AdamW reference({twin}, AdamWOptions(1e-2));
        for (int step = 0; step < 3; ++step) {
            strided.mutable_grad() = torch::ones_like(strided) * (step + 1);
            twin.mutable_grad() = torch::ones_like(twin) * (step + 1);
            fused.step();
            reference.step();
        }
        QVERIFY(!strided.is_contiguous());
        QVERIFY(torch::equal(strided, twin));
    }
};

QTEST_GUILESS_MAIN(TestFusedAdamW)
#include "test_fused_adamw.moc"
