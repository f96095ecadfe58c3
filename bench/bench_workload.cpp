// The chapter's whole fine-tuning workload through sft::train(): 935 training entries, batch 8,
// 2 epochs, evaluation every 5 steps over 5 batches, the epoch-end sample; or a prefix of its
// steps. Three modes, one JSON line each:
//   chapter:  the chapter's exact computation: its batches in fp32, the output head at every
//             position, the training loss estimated over eval_iter fresh batches;
//   app-fp32: the app's defaults (head on counted positions, the training loss as the mean of
//             the steps since the last evaluation) with length-grouped batches, in fp32;
//   app:      the same with precision auto (bf16 where the CPU has it natively; the line is
//             left out, with a note, where auto means fp32).
// Usage: bench_workload MODEL_DIR DATA [STEPS (0: all; default 20)] [chapter|app-fp32|app|all]
// bench/bench_workload.sh makes the model folder and runs the Python reference beside it.

#include "core/data/dataset.h"
#include "core/io/model_folder.h"
#include "core/model/threads.h"
#include "core/train/precision.h"
#include "core/train/trainer.h"

#include <torch/torch.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

double secondsBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration<double>(to - from).count();
}

// What the run reported, and when it last did: the end of the chapter's loop, before train()
// writes its final checkpoint (which the chapter's timing leaves out too).
class Recorder : public sft::TrainObserver {
public:
    void onStep(const sft::StepPoint& p) override
    {
        tokensSeen = p.tokensSeen;
        steps = p.step + 1;
        lastEvent = Clock::now();
        std::fprintf(stderr, "%7.2f s  step %lld, loss %.4f\n", secondsBetween(begun, lastEvent), (long long)p.step,
                     p.loss);
    }
    void onEvaluation(const sft::EvalPoint& p) override
    {
        last = p;
        ++evaluations;
        lastEvent = Clock::now();
        std::fprintf(stderr, "%7.2f s  evaluation at step %lld\n", secondsBetween(begun, lastEvent), (long long)p.step);
    }
    void onSample(int64_t, const std::string&) override
    {
        ++samples;
        lastEvent = Clock::now();
    }

    sft::EvalPoint last;
    Clock::time_point begun = Clock::now();
    int64_t tokensSeen = 0, steps = 0, evaluations = 0, samples = 0;
    Clock::time_point lastEvent;
};

sft::TrainOptions modeOptions(const std::string& name, int64_t steps, int64_t stepsPerEpoch)
{
    sft::TrainOptions o;
    o.maxSteps = steps;
    // train() samples wherever it stops; the workload samples at epoch ends only, so a prefix
    // that ends inside an epoch goes without (as the reference does).
    if (steps > 0 && steps % stepsPerEpoch != 0)
        o.sampleTokens = 0;
    const bool chapter = name == "chapter";
    o.headOnCountedTargets = !chapter;
    o.trainLoss = chapter ? "chapter" : "steps";
    o.groupByLength = !chapter;
    o.precision = name == "app" ? "auto" : "fp32";
    return o;
}

void runMode(const std::string& name, const std::string& modelDir, const std::string& data, int64_t steps)
{
    sft::TrainInputs inputs{sft::loadModelFolder(modelDir), sft::loadTokenizer(modelDir), sft::loadDataset(data)};
    const int64_t trainEntries = int64_t(sft::splitDataset(inputs.dataset.entries).train.size());
    const sft::TrainOptions options =
        modeOptions(name, steps, std::max<int64_t>(1, trainEntries / sft::TrainOptions().batchSize));
    const std::filesystem::path runDir = std::filesystem::temp_directory_path() /
                                         ("sft-bench-workload-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(runDir);

    Recorder recorder;
    const Clock::time_point start = recorder.begun = Clock::now();
    sft::train(inputs, options, runDir.string(), recorder);
    const Clock::time_point returned = Clock::now();
    std::filesystem::remove_all(runDir);

    const double wall = secondsBetween(start, recorder.lastEvent);
    std::printf("{\"impl\": \"sft-studio (C++)\", \"mode\": \"%s\", \"precision\": \"%s\", "
                "\"head_on_counted_targets\": %s, \"train_loss\": \"%s\", \"group_by_length\": %s, \"threads\": %d, "
                "\"steps\": %lld, "
                "\"evaluations\": %lld, \"samples\": %lld, \"wall_s\": %.2f, \"tokens_seen\": %lld, "
                "\"tokens_per_s\": %.1f, \"train_loss\": %.6f, \"val_loss\": %.6f, \"final_save_s\": %.2f}\n",
                name.c_str(), sft::precisionName(sft::resolvePrecision(options.precision, false)),
                options.headOnCountedTargets ? "true" : "false", options.trainLoss.c_str(),
                options.groupByLength ? "true" : "false",
                torch::get_num_threads(),
                (long long)recorder.steps, (long long)recorder.evaluations, (long long)recorder.samples, wall,
                (long long)recorder.tokensSeen, double(recorder.tokensSeen) / wall, recorder.last.trainLoss,
                recorder.last.valLoss, secondsBetween(recorder.lastEvent, returned));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s MODEL_DIR DATA [STEPS] [chapter|app-fp32|app|all]\n", argv[0]);
        return 2;
    }
    const int64_t steps = argc > 3 ? std::atoll(argv[3]) : 20;
    const std::string which = argc > 4 ? argv[4] : "all";
    sft::useAllCores();
    try {
        for (const std::string mode : {"chapter", "app-fp32", "app"}) {
            if (which != "all" && which != mode)
                continue;
            if (mode == "app" && sft::resolvePrecision("auto", false) == sft::Precision::Fp32)
                std::fprintf(stderr, "bench_workload: this CPU has no native bf16 (avx512_bf16, AMX), so the app's "
                                     "precision auto is fp32: the app-fp32 line is the app's\n");
            else
                runMode(mode, argv[1], argv[2], steps);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_workload: %s\n", e.what());
        return 1;
    }
    return 0;
}
