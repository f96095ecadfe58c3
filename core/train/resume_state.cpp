#include "core/train/resume_state.h"

#include "core/train/torch_file.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <mutex>

namespace sft {

namespace {

std::string statePath(const std::string& dir) { return dir + "/trainer-state.json"; }
std::string optimizerPath(const std::string& dir) { return dir + "/optimizer.pt"; }
std::string rngPath(const std::string& dir) { return dir + "/rng.pt"; }

torch::Tensor orderTensor(const std::vector<int64_t>& order)
{
    return torch::tensor(order, torch::kInt64);
}

} // namespace

void writeResumeState(const std::string& dir, const torch::optim::Optimizer& optimizer, const DataLoader& loader,
                      const TrainingState& state)
{
    saveTorchFile(optimizerPath(dir), [&](std::ostream& out) { torch::save(optimizer, out); });
    at::Generator global = at::detail::getDefaultCPUGenerator();
    torch::Tensor globalState;
    {
        std::lock_guard<std::mutex> lock(global.mutex());
        globalState = global.get_state();
    }
    const DataLoaderState position = loader.state();
    torch::serialize::OutputArchive rng;
    rng.write("global_generator", globalState);
    rng.write("loader_generator", position.generatorState);
    rng.write("loader_order", orderTensor(position.order));
    saveTorchFile(rngPath(dir), [&](std::ostream& out) { rng.save_to(out); });
    writeFileAtomic(statePath(dir), state.toJson().dump(2) + "\n");
}

bool hasResumeState(const std::string& dir) { return fileExists(statePath(dir)); }

TrainingState readTrainingState(const std::string& dir)
{
    try {
        return TrainingState::fromJson(nlohmann::json::parse(readFile(statePath(dir))));
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(statePath(dir) + " is not valid JSON: " + e.what());
    } catch (const FormatError& e) {
        throw FormatError(statePath(dir) + ": " + e.what());
    }
}

void restoreResumeState(const std::string& dir, torch::optim::Optimizer& optimizer, DataLoader& loader)
{
    try {
        torch::load(optimizer, optimizerPath(dir));
        torch::serialize::InputArchive rng;
        rng.load_from(rngPath(dir));
        torch::Tensor globalState, loaderState, order;
        rng.read("global_generator", globalState);
        rng.read("loader_generator", loaderState);
        rng.read("loader_order", order);
        order = order.contiguous();
        loader.restore({loaderState, std::vector<int64_t>(order.data_ptr<int64_t>(), order.data_ptr<int64_t>() + order.numel())});
        at::Generator global = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(global.mutex());
        global.set_state(globalState);
    } catch (const c10::Error& e) {
        throw FormatError("cannot resume from " + dir + ": " + e.what_without_backtrace());
    }
}

} // namespace sft
