#pragma once
// Every setting of a fine-tuning run. Defaults are the chapter's; run.json records all of them.
// trainSettings() describes each one (key, flag, range, help): the JSON, the validation, the
// `train` command's flags and the Train view's form all come from that table.

#include "core/data/dataset.h"
#include "core/model/lora_options.h"
#include "core/settings/setting_table.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sft {

struct TrainOptions {
    std::string method = "sft"; // sft: the chapter's instruction fine-tuning | dpo: preference tuning
    int64_t epochs = 2;
    int64_t batchSize = 8;      // entries per micro-batch
    double learningRate = 5e-5;
    double weightDecay = 0.1;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double adamEps = 1e-8;
    int64_t evalFreq = 5;       // evaluate every N optimizer steps (step 0 included)
    int64_t evalIter = 5;       // batches of train and of val per evaluation
    // What an evaluation reports as the training loss. steps: the mean of the training steps'
    // losses since the last evaluation (what Hugging Face's Trainer logs; costs nothing).
    // chapter: evalIter fresh training batches through the model, as the chapter's evaluate_model.
    std::string trainLoss = "steps";
    uint64_t seed = 123;
    int64_t maxLength = 1024;   // the collate's allowed_max_length
    std::string templateName = "alpaca";
    bool shuffle = true;
    int64_t maxSteps = 0;       // 0: run all epochs
    int64_t sampleTokens = 50;  // greedy tokens of the epoch-end sample
    // Apply the output head only where the target counts: same loss, far less work.
    bool headOnCountedTargets = true;

    bool maskPrompt = false;             // exercise 7.2: no loss on the instruction and input
    bool groupByLength = false;          // training batches of similar lengths: less padding
    std::string lrSchedule = "constant"; // constant | cosine | linear (decay after the warmup)
    int64_t warmupSteps = 0;             // linear warmup over these steps ...
    double warmupRatio = 0;              // ... or over this fraction of all steps
    double minLearningRate = 0;          // where cosine and linear decay end
    int64_t gradAccumulation = 1;        // micro-batches per optimizer step
    double maxGradNorm = 0;              // clip the global gradient norm to this; 0: no clipping
    int64_t earlyStoppingPatience = 0;   // evaluations without improvement before stopping; 0: never
    double earlyStoppingMinDelta = 0;    // how much lower a validation loss must be to count
    bool keepBest = false;               // checkpoints/best follows the lowest validation loss
    int64_t saveEvery = 0;               // a resumable checkpoint every N steps; 0: only at the end
    int64_t keepLast = 2;                // step checkpoints kept; 0: all
    std::string precision = "auto";      // auto | fp32 | bf16 (autocast, fp32 master weights)
    std::optional<double> dropout;       // overrides the model's drop rate while training
    bool decayBiasAndNorm = true;        // false: no weight decay on biases and LayerNorm weights
    std::optional<LoraOptions> lora;     // train LoRA adapters on a frozen model instead of every weight
    bool loraMerged = false;             // with LoRA, final and best also hold the merged full model
    bool memoryCheck = true;             // refuse to start a run the machine's memory cannot hold
    int64_t processes = 1;               // data-parallel worker processes on this machine
    double distTimeout = 120;            // seconds a process waits for the others before the run stops
    double dpoBeta = 0.1;                // DPO: how far the policy may move from the reference
    std::optional<std::string> reference; // DPO's reference model; none: the model the run starts from

    bool isDpo() const { return method == "dpo"; }
    // DPO with LoRA and no reference given: the reference is the model under the adapters, with
    // them switched off, and needs no weights of its own.
    bool referenceIsBaseModel() const { return isDpo() && lora && !reference; }
    // What the method needs of every entry: preference pairs for DPO.
    EntryFields entryFields() const { return isDpo() ? EntryFields::Preference : EntryFields::Instruction; }
    // The defaults of a method: the chapter's for sft; for dpo the DPO notebook's (1 epoch,
    // lr 5e-6, weight decay 0.01). ConfigError for an unknown method.
    static TrainOptions defaultsFor(const std::string& method);

    nlohmann::json toJson() const;
    // What every process of a data-parallel run must agree on: all but how many there are and
    // how long they wait for each other.
    nlohmann::json computationJson() const;
    // An object without train_loss is a run recorded before that setting: "chapter".
    static TrainOptions fromJson(const nlohmann::json& j);
    void validate() const; // ConfigError naming the setting and its allowed range
};

const SettingTable<TrainOptions>& trainSettings();

} // namespace sft
