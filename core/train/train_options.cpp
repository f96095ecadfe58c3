#include "core/train/train_options.h"

#include "core/util/error.h"

namespace sft {

namespace {

using K = SettingKind;

std::string dpoDefaultsText()
{
    const TrainOptions dpo = TrainOptions::defaultsFor("dpo");
    return std::to_string(dpo.epochs) + " epoch, lr " + settingNumberText(dpo.learningRate) + ", weight decay " +
           settingNumberText(dpo.weightDecay);
}

void addMethodSettings(SettingTable<TrainOptions>& t)
{
    t.add(setting(K::Choice, "/method", "method", "Method",
                  "sft: instruction fine-tuning on the outputs (the chapter); dpo: preference tuning on chosen and "
                  "rejected answers against a frozen reference model (the book's DPO notebook; defaults then " +
                      dpoDefaultsText() + ").")
              .oneOf({"sft", "dpo"}),
          &TrainOptions::method);
    t.add(setting(K::Real, "/dpo_beta", "beta", "DPO β",
                  "DPO's beta: how strongly the policy is held near the reference model (the notebook's 0.1).")
              .range(0, 100)
              .exclusive(true, false)
              .withDecimals(3)
              .placeholder("B")
              .inGroup("DPO"),
          &TrainOptions::dpoBeta);
    t.add(setting(K::Text, "/reference", "reference", "Reference model",
                  "DPO's frozen reference model folder.")
              .optional("the model the run starts from; with LoRA, that model without its adapters")
              .placeholder("DIR")
              .inGroup("DPO"),
          &TrainOptions::reference);
}

void addChapterSettings(SettingTable<TrainOptions>& t)
{
    t.add(setting(K::Integer, "/epochs", "epochs", "Epochs", "Training epochs.").range(1, 10000), &TrainOptions::epochs);
    t.add(setting(K::Integer, "/batch_size", "batch-size", "Batch size",
                  "Entries per batch (per micro-batch with --grad-accum).")
              .range(1, 4096),
          &TrainOptions::batchSize);
    t.add(setting(K::Real, "/learning_rate", "lr", "Learning rate", "AdamW learning rate (the peak of a schedule).")
              .range(0, 1)
              .exclusive(true, true)
              .typedAsText()
              .placeholder("LR"),
          &TrainOptions::learningRate);
    t.add(setting(K::Real, "/weight_decay", "weight-decay", "Weight decay", "AdamW weight decay.")
              .range(0, 10)
              .exclusive(false, true)
              .placeholder("WD"),
          &TrainOptions::weightDecay);
    t.add(setting(K::Real, "/betas/0", "beta1", "Adam β1", "AdamW beta1 (first moment decay).")
              .range(0, 1)
              .exclusive(false, true)
              .withDecimals(4)
              .placeholder("B")
              .named("beta1"),
          &TrainOptions::beta1);
    t.add(setting(K::Real, "/betas/1", "beta2", "Adam β2", "AdamW beta2 (second moment decay).")
              .range(0, 1)
              .exclusive(false, true)
              .withDecimals(5)
              .placeholder("B")
              .named("beta2"),
          &TrainOptions::beta2);
    t.add(setting(K::Real, "/adam_eps", "adam-eps", "Adam ε", "AdamW epsilon.")
              .range(0, 1)
              .exclusive(true, false)
              .typedAsText()
              .placeholder("EPS"),
          &TrainOptions::adamEps);
    t.add(setting(K::Integer, "/eval_freq", "eval-freq", "Evaluate every (steps)", "Evaluate every N steps.")
              .range(1, 1000000),
          &TrainOptions::evalFreq);
    t.add(setting(K::Integer, "/eval_iter", "eval-iter", "Batches per evaluation",
                  "Batches of train and validation data per evaluation.")
              .range(1, 1000000),
          &TrainOptions::evalIter);
    t.add(setting(K::Choice, "/train_loss", "train-loss", "Training loss shown",
                  "steps: the mean of the training steps' losses since the last evaluation (Hugging Face's "
                  "Trainer; free); chapter: the chapter's estimate, --eval-iter fresh training batches through "
                  "the model at each evaluation.")
              .oneOf({"steps", "chapter"}),
          &TrainOptions::trainLoss);
    t.add(setting(K::Integer, "/sample_tokens", "sample-tokens", "Epoch-end sample tokens",
                  "Greedy tokens of the sample printed after each epoch (0: none).")
              .range(0, 4096)
              .atMinimum("no sample"),
          &TrainOptions::sampleTokens);
    t.add(setting(K::Integer, "/seed", "seed", "Seed", "Seed for shuffling and dropout.").range(0, double(INT64_MAX)),
          &TrainOptions::seed);
    t.add(setting(K::Integer, "/max_length", "max-length", "Max length (tokens)",
                  "Truncate batches to this many tokens (allowed_max_length).")
              .range(2, 1 << 20),
          &TrainOptions::maxLength);
    t.add(setting(K::Text, "/template", "template", "Prompt template", "Prompt template: alpaca, phi3, or a template file.")
              .oneOf({"alpaca", "phi3"}),
          &TrainOptions::templateName);
    t.add(setting(K::Integer, "/max_steps", "max-steps", "Stop after (steps)", "Stop after N optimizer steps (0: all epochs).")
              .range(0, INT32_MAX)
              .atMinimum("all epochs"),
          &TrainOptions::maxSteps);
    t.add(setting(K::Switch, "/shuffle", "no-shuffle", "Shuffle training entries each epoch",
                  "Keep the training entries in file order.")
              .turnedOffByFlag(),
          &TrainOptions::shuffle);
    t.add(setting(K::Switch, "/mask_prompt", "mask-prompt", "Mask the prompt: train on the response only (exercise 7.2)",
                  "No loss on the instruction and input tokens, only on the response (exercise 7.2)."),
          &TrainOptions::maskPrompt);
    t.add(setting(K::Switch, "/head_on_counted_targets", "full-head",
                  "Output head at every position (the chapter's way; same loss, slower)",
                  "Apply the output head at every position (the chapter's way; same loss, slower).")
              .turnedOffByFlag()
              .turnedOffByCheckBox()
              .named("fullHead"),
          &TrainOptions::headOnCountedTargets);
}

void addAdvancedSettings(SettingTable<TrainOptions>& t)
{
    const auto advanced = [](SettingInfo s) { return s.inGroup("Advanced"); };
    t.add(advanced(setting(K::Choice, "/lr_schedule", "lr-schedule", "LR schedule",
                           "constant, cosine or linear (decay from --lr to --min-lr after the warmup).")
                       .oneOf({"constant", "cosine", "linear"})),
          &TrainOptions::lrSchedule);
    t.add(advanced(setting(K::Integer, "/warmup_steps", "warmup-steps", "Warmup (steps)",
                           "Raise the learning rate linearly over the first N steps.")
                       .range(0, INT32_MAX)),
          &TrainOptions::warmupSteps);
    t.add(advanced(setting(K::Real, "/warmup_ratio", "warmup-ratio", "Warmup (fraction)",
                           "Warm up over this fraction of all steps instead.")
                       .range(0, 1)
                       .exclusive(false, true)
                       .placeholder("R")),
          &TrainOptions::warmupRatio);
    t.add(advanced(setting(K::Real, "/min_lr", "min-lr", "Minimum LR", "Learning rate where cosine and linear decay end.")
                       .range(0, 1)
                       .typedAsText()
                       .placeholder("LR")),
          &TrainOptions::minLearningRate);
    t.add(advanced(setting(K::Integer, "/grad_accumulation", "grad-accum", "Gradient accumulation",
                           "Micro-batches per optimizer step (effective batch = batch size x N).")
                       .range(1, 4096)
                       .named("gradAccum")),
          &TrainOptions::gradAccumulation);
    t.add(advanced(setting(K::Real, "/max_grad_norm", "max-grad-norm", "Clip gradient norm",
                           "Clip the global gradient norm to this (0: no clipping; the norm is logged).")
                       .range(0, 1e6)
                       .withDecimals(2)
                       .atMinimum("no clipping")),
          &TrainOptions::maxGradNorm);
    t.add(advanced(setting(K::Integer, "/early_stopping_patience", "early-stopping-patience", "Early stopping patience",
                           "Stop after N evaluations without a lower validation loss (0: never).")
                       .range(0, 1000000)
                       .suffix(" evaluations")
                       .atMinimum("off")
                       .named("patience")),
          &TrainOptions::earlyStoppingPatience);
    t.add(advanced(setting(K::Real, "/early_stopping_min_delta", "early-stopping-min-delta", "Min improvement",
                           "How much lower a validation loss must be to count as better.")
                       .range(0, 100)
                       .withDecimals(4)
                       .named("minDelta")),
          &TrainOptions::earlyStoppingMinDelta);
    t.add(advanced(setting(K::Switch, "/keep_best", "keep-best", "Keep the best checkpoint (lowest validation loss)",
                           "Keep the model of the lowest validation loss in checkpoints/best.")),
          &TrainOptions::keepBest);
    t.add(advanced(setting(K::Integer, "/save_every", "save-every", "Checkpoint every",
                           "Write a resumable checkpoint every N steps (0: only at the end or on stop).")
                       .range(0, INT32_MAX)
                       .suffix(" steps")
                       .atMinimum("at the end only")),
          &TrainOptions::saveEvery);
    t.add(advanced(setting(K::Integer, "/keep_last", "keep-last", "Step checkpoints kept",
                           "Step checkpoints to keep (0: all); final and best are always kept.")
                       .range(0, 1000000)
                       .atMinimum("all")
                       .placeholder("K")),
          &TrainOptions::keepLast);
    t.add(advanced(setting(K::Choice, "/precision", "precision", "Precision",
                           "auto, fp32 or bf16 (autocast with fp32 weights); auto: bf16 where the CPU computes it "
                           "natively (avx512_bf16, AMX) or on CUDA.")
                       .oneOf({"auto", "fp32", "bf16"})),
          &TrainOptions::precision);
    t.add(advanced(setting(K::Real, "/dropout", "dropout", "Dropout", "Dropout rate while training.")
                       .range(0, 1)
                       .exclusive(false, true)
                       .withDecimals(2)
                       .optional("the model's")
                       .placeholder("P")),
          &TrainOptions::dropout);
    t.add(advanced(setting(K::Switch, "/decay_bias_and_norm", "no-decay-bias-norm",
                           "No weight decay on biases and LayerNorm weights",
                           "No weight decay on biases and LayerNorm weights.")
                       .turnedOffByFlag()
                       .turnedOffByCheckBox()
                       .named("noDecayBiasNorm")),
          &TrainOptions::decayBiasAndNorm);
    t.add(advanced(setting(K::Switch, "/group_by_length", "group-by-length",
                           "Group batches by length (less padding; not the chapter's batches)",
                           "Training batches of entries of similar length (shuffled, seeded): less padding, faster "
                           "steps; the batches differ from the chapter's.")),
          &TrainOptions::groupByLength);
    t.add(advanced(setting(K::Switch, "/memory_check", "no-memory-check", "Check memory before starting",
                           "Start even when the memory estimate says the run will not fit.")
                       .turnedOffByFlag()),
          &TrainOptions::memoryCheck);
    t.add(advanced(setting(K::Integer, "/processes", "nproc", "Processes",
                           "Train in N processes on this machine, each computing its share of every batch (data "
                           "parallel on PyTorch's Gloo); the batch size must divide by N. The steps are those of "
                           "one process. Under torchrun's environment (RANK, WORLD_SIZE, ...) the launcher decides.")
                       .range(1, 256)
                       .placeholder("N")),
          &TrainOptions::processes);
    t.add(advanced(setting(K::Real, "/dist_timeout", "dist-timeout", "Process timeout",
                           "Seconds a process of a multi-process run waits for the others (to start, and at each "
                           "exchange) before the run stops, naming the one that failed.")
                       .range(1, 86400)
                       .withDecimals(0)
                       .suffix(" s")
                       .placeholder("SECONDS")),
          &TrainOptions::distTimeout);
}

void addLoraSettings(SettingTable<TrainOptions>& t)
{
    t.add(setting(K::Switch, "/lora", "lora", "LoRA (train adapters only, base frozen)",
                  "Train LoRA adapters on the frozen model instead of every weight (exercise 7.4); checkpoints hold "
                  "the adapters alone.")
              .holdingChildren()
              .inGroup("LoRA"),
          [](const TrainOptions& o) { return nlohmann::json(o.lora.has_value()); },
          [](TrainOptions& o, const nlohmann::json& on) {
              if (on.get<bool>() && !o.lora)
                  o.lora.emplace();
              else if (!on.get<bool>())
                  o.lora.reset();
          });
    t.nest<LoraOptions>(
        loraSettings(), "/lora", "lora", "LoRA", [](const TrainOptions& o) { return o.lora.value_or(LoraOptions{}); },
        [](TrainOptions& o) -> LoraOptions& { return o.lora ? *o.lora : o.lora.emplace(); });
    t.add(setting(K::Switch, "/lora_merged", "lora-merged", "Also save the merged model",
                  "With --lora: final and best also hold the merged full model, loadable by any GPT-2 reader.")
              .under("lora")
              .inGroup("LoRA"),
          &TrainOptions::loraMerged);
}

SettingTable<TrainOptions> makeTrainSettings()
{
    SettingTable<TrainOptions> t("training");
    addMethodSettings(t);
    addChapterSettings(t);
    addAdvancedSettings(t);
    addLoraSettings(t);
    t.rule([](const TrainOptions& o) {
        return !o.groupByLength || o.shuffle
                   ? std::string()
                   : "grouping by length needs shuffling on (it groups each epoch's random order)";
    });
    t.rule([](const TrainOptions& o) {
        return o.warmupSteps == 0 || o.warmupRatio == 0
                   ? std::string()
                   : "warmup: give warmup steps or a warmup ratio, not both";
    });
    t.rule([](const TrainOptions& o) {
        return o.minLearningRate <= o.learningRate
                   ? std::string()
                   : "the min lr must be from 0 to the learning rate (" + settingNumberText(o.learningRate) + ")";
    });
    t.rule([](const TrainOptions& o) {
        return o.lora || !o.loraMerged ? std::string() : "saving a merged model needs LoRA to be on";
    });
    t.rule([](const TrainOptions& o) {
        return o.batchSize % o.processes == 0
                   ? std::string()
                   : "the batch size (" + std::to_string(o.batchSize) + ") must divide by the number of processes (" +
                         std::to_string(o.processes) + "), which share every batch";
    });
    t.rule([](const TrainOptions& o) {
        return o.isDpo() || !o.reference ? std::string() : "a reference model goes with the dpo method";
    });
    t.rule([](const TrainOptions& o) {
        return !o.isDpo() || !o.maskPrompt ? std::string()
                                           : "masking the prompt is for sft (DPO never counts the prompt)";
    });
    return t;
}

} // namespace

const SettingTable<TrainOptions>& trainSettings()
{
    static const SettingTable<TrainOptions> table = makeTrainSettings();
    return table;
}

TrainOptions TrainOptions::defaultsFor(const std::string& method)
{
    TrainOptions o;
    if (method == "sft")
        return o;
    if (method != "dpo")
        throw ConfigError("unknown training method '" + method + "': use sft or dpo");
    o.method = method;
    o.epochs = 1;
    o.learningRate = 5e-6;
    o.weightDecay = 0.01;
    return o;
}

nlohmann::json TrainOptions::toJson() const { return trainSettings().toJson(*this); }

nlohmann::json TrainOptions::computationJson() const
{
    nlohmann::json j = toJson();
    j.erase("processes");
    j.erase("dist_timeout");
    return j;
}

TrainOptions TrainOptions::fromJson(const nlohmann::json& j)
{
    TrainOptions o = trainSettings().fromJson(j);
    // Runs recorded before the setting existed estimated their training loss the chapter's way.
    if (j.is_object() && !j.contains("train_loss"))
        o.trainLoss = "chapter";
    return o;
}

void TrainOptions::validate() const { trainSettings().validate(*this); }

} // namespace sft
