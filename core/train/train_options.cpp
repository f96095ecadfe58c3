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
            {"head_on_counted_targets", headOnCountedTargets}};
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
    require(learningRate > 0 && learningRate < 1, "learning rate must be in (0, 1)");
    require(weightDecay >= 0 && weightDecay < 10, "weight decay must be in [0, 10)");
    require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1)");
    require(adamEps > 0, "adam eps must be positive");
    require(evalFreq >= 1, "eval frequency must be at least 1");
    require(evalIter >= 1, "eval batches must be at least 1");
    require(maxLength >= 2, "max length must be at least 2");
    require(maxSteps >= 0, "max steps must not be negative");
    require(sampleTokens >= 0 && sampleTokens <= 4096, "sample tokens must be from 0 to 4096");
}

} // namespace sft
