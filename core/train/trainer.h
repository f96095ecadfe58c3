#pragma once
// The chapter's train_model_simple as a reusable trainer. It knows nothing of the UI: it
// reports through a TrainObserver and polls a JobControl between steps (pause, stop).
// Beyond the chapter (all off by default): prompt masking, learning rate schedules, gradient
// accumulation and clipping, early stopping, periodic and best checkpoints, bf16 autocast,
// dropout and weight-decay exclusions, and exact resume from a checkpoint.

#include "core/data/dataset.h"
#include "core/io/model_folder.h"
#include "core/tokenizer/tokenizer.h"
#include "core/train/train_events.h"
#include "core/train/train_options.h"
#include "core/util/job_control.h"

#include <cstdint>
#include <string>

namespace sft {

struct LaunchEnvironment;

struct TrainInputs {
    LoadedModel model;
    Tokenizer tokenizer;
    Dataset dataset;
};

struct TrainResult {
    bool stopped = false;      // true when the JobControl asked to stop
    bool earlyStopped = false; // the validation loss stopped improving
    int64_t steps = 0;         // optimizer steps done
    std::string checkpoint;    // model folder written at the end (or where it stopped)
    std::string error;         // why it failed, for run.json; the exception goes on to the caller
};

// Writes the run into runDir (see RunDirectory) and returns when done or stopped.
// launch: this process is one rank of a data-parallel run (see ProcessGroup): it joins the others,
// computes its share of every batch, and only rank 0 writes runDir. The steps are those of a run
// in one process (to rounding), whatever the number of ranks.
TrainResult train(TrainInputs& inputs, const TrainOptions& options, const std::string& runDir,
                  TrainObserver& observer, const JobControl* job = nullptr, const LaunchEnvironment* launch = nullptr);

// Continues the run in runDir from its newest resumable checkpoint, from the beginning when a
// kill came before the first one; the per-step losses are then those of an uninterrupted run
// (same thread count). Rows that run had logged after the checkpoint are dropped and redone.
// moreEpochs > 0 extends the run by that many epochs (lifting its step limit): the way to
// continue a finished run. Model, tokenizer and dataset come from what run.json records.
// launch as for train: the number of ranks may differ from the run's so far. distTimeout > 0
// replaces the run's.
TrainResult resumeTraining(const std::string& runDir, int64_t moreEpochs, TrainObserver& observer,
                           const JobControl* job = nullptr, const LaunchEnvironment* launch = nullptr,
                           double distTimeout = 0);

// The chapter's log line: "Ep 1 (Step 000005): Train loss 1.174, Val loss 1.103".
std::string formatEvalLine(const EvalPoint& point);

} // namespace sft
