#include "core/train/train_options.h"

#include "core/util/error.h"

namespace sft {

nlohmann::json TrainOptions::toJson() const
{
    return {{"epochs", epochs},
            {"batch_size", batchSize},
            {"learning_rate", learningRate},
            {"weight_decay", weightDecay},
            {"betas", {beta1, beta2}},
            {"adam_eps", adamEps},
            {"eval_freq", evalFreq},
            {"eval_iter", evalIter},
            {"seed", seed},
            {"max_length", maxLength},
            {"template", templateName},
            {"shuffle", shuffle},
            {"max_steps", maxSteps},
            {"sample_tokens", sampleTokens},
            {"head_on_counted_targets", headOnCountedTargets},
            {"mask_prompt", maskPrompt},
            {"group_by_length", groupByLength},
            {"lr_schedule", lrSchedule},
            {"warmup_steps", warmupSteps},
            {"warmup_ratio", warmupRatio},
            {"min_lr", minLearningRate},
            {"grad_accumulation", gradAccumulation},
            {"max_grad_norm", maxGradNorm},
            {"early_stopping_patience", earlyStoppingPatience},
            {"early_stopping_min_delta", earlyStoppingMinDelta},
            {"keep_best", keepBest},
            {"save_every", saveEvery},
            {"keep_last", keepLast},
            {"precision", precision},
            {"dropout", dropout ? nlohmann::json(*dropout) : nlohmann::json()},
            {"decay_bias_and_norm", decayBiasAndNorm},
            {"lora", lora ? lora->toJson() : nlohmann::json()},
            {"lora_merged", loraMerged},
            {"memory_check", memoryCheck}};
}

TrainOptions TrainOptions::fromJson(const nlohmann::json& j)
{
    TrainOptions o;
    try {
        o.epochs = j.value("epochs", o.epochs);
        o.batchSize = j.value("batch_size", o.batchSize);
        o.learningRate = j.value("learning_rate", o.learningRate);
        o.weightDecay = j.value("weight_decay", o.weightDecay);
        if (j.contains("betas")) {
            o.beta1 = j.at("betas").at(0).get<double>();
            o.beta2 = j.at("betas").at(1).get<double>();
        }
        o.adamEps = j.value("adam_eps", o.adamEps);
        o.evalFreq = j.value("eval_freq", o.evalFreq);
        o.evalIter = j.value("eval_iter", o.evalIter);
        o.seed = j.value("seed", o.seed);
        o.maxLength = j.value("max_length", o.maxLength);
        o.templateName = j.value("template", o.templateName);
        o.shuffle = j.value("shuffle", o.shuffle);
        o.maxSteps = j.value("max_steps", o.maxSteps);
        o.sampleTokens = j.value("sample_tokens", o.sampleTokens);
        o.headOnCountedTargets = j.value("head_on_counted_targets", o.headOnCountedTargets);
        o.maskPrompt = j.value("mask_prompt", o.maskPrompt);
        o.groupByLength = j.value("group_by_length", o.groupByLength);
        o.lrSchedule = j.value("lr_schedule", o.lrSchedule);
        o.warmupSteps = j.value("warmup_steps", o.warmupSteps);
        o.warmupRatio = j.value("warmup_ratio", o.warmupRatio);
        o.minLearningRate = j.value("min_lr", o.minLearningRate);
        o.gradAccumulation = j.value("grad_accumulation", o.gradAccumulation);
        o.maxGradNorm = j.value("max_grad_norm", o.maxGradNorm);
        o.earlyStoppingPatience = j.value("early_stopping_patience", o.earlyStoppingPatience);
        o.earlyStoppingMinDelta = j.value("early_stopping_min_delta", o.earlyStoppingMinDelta);
        o.keepBest = j.value("keep_best", o.keepBest);
        o.saveEvery = j.value("save_every", o.saveEvery);
        o.keepLast = j.value("keep_last", o.keepLast);
        o.precision = j.value("precision", o.precision);
        if (j.contains("dropout") && !j.at("dropout").is_null())
            o.dropout = j.at("dropout").get<double>();
        o.decayBiasAndNorm = j.value("decay_bias_and_norm", o.decayBiasAndNorm);
        if (j.contains("lora") && !j.at("lora").is_null())
            o.lora = LoraOptions::fromJson(j.at("lora"));
        o.loraMerged = j.value("lora_merged", o.loraMerged);
        o.memoryCheck = j.value("memory_check", o.memoryCheck);
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("training settings: ") + e.what());
    }
    o.validate();
    return o;
}

namespace {
void require(bool ok, const std::string& what)
{
    if (!ok)
        throw ConfigError("training setting " + what);
}
} // namespace

void TrainOptions::validate() const
{
    require(epochs >= 1 && epochs <= 10000, "epochs must be from 1 to 10000");
    require(batchSize >= 1 && batchSize <= 4096, "batch size must be from 1 to 4096");
    require(!groupByLength || shuffle, "grouping by length needs shuffling on (it groups each epoch's random order)");
    require(learningRate > 0 && learningRate < 1, "learning rate must be in (0, 1)");
    require(weightDecay >= 0 && weightDecay < 10, "weight decay must be in [0, 10)");
    require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1)");
    require(adamEps > 0, "adam eps must be positive");
    require(evalFreq >= 1, "eval frequency must be at least 1");
    require(evalIter >= 1, "eval batches must be at least 1");
    require(maxLength >= 2, "max length must be at least 2");
    require(maxSteps >= 0, "max steps must not be negative");
    require(sampleTokens >= 0 && sampleTokens <= 4096, "sample tokens must be from 0 to 4096");
    require(lrSchedule == "constant" || lrSchedule == "cosine" || lrSchedule == "linear",
            "lr schedule must be constant, cosine or linear, not '" + lrSchedule + "'");
    require(warmupSteps >= 0, "warmup steps must not be negative");
    require(warmupRatio >= 0 && warmupRatio < 1, "warmup ratio must be in [0, 1)");
    require(warmupSteps == 0 || warmupRatio == 0, "warmup: give warmup steps or a warmup ratio, not both");
    require(minLearningRate >= 0 && minLearningRate <= learningRate,
            "min lr must be from 0 to the learning rate (" + std::to_string(learningRate) + ")");
    require(gradAccumulation >= 1 && gradAccumulation <= 4096, "gradient accumulation must be from 1 to 4096");
    require(maxGradNorm >= 0, "max grad norm must not be negative (0: no clipping)");
    require(earlyStoppingPatience >= 0, "early stopping patience must not be negative (0: off)");
    require(earlyStoppingMinDelta >= 0, "early stopping min delta must not be negative");
    require(saveEvery >= 0, "save every must not be negative (0: only at the end)");
    require(keepLast >= 0, "keep last must not be negative (0: keep every checkpoint)");
    require(precision == "auto" || precision == "fp32" || precision == "bf16",
            "precision must be auto, fp32 or bf16, not '" + precision + "'");
    require(!dropout || (*dropout >= 0 && *dropout < 1), "dropout must be in [0, 1)");
    require(lora || !loraMerged, "saving a merged model needs LoRA to be on");
    if (lora)
        lora->validate();
}

} // namespace sft
