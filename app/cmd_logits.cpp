// sft-studio logits: a model's raw output for given token IDs, as JSON, for checking numerics
// against other implementations.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/hub/model_cache.h"
#include "core/io/mapping_guard.h"
#include "core/io/model_folder.h"
#include "core/util/error.h"

#include <QRegularExpression>

#include <torch/torch.h>

#include <cmath>
#include <cstdio>

namespace sft::cli {

namespace {

std::vector<int64_t> parseIds(const std::string& text, const GptConfig& config)
{
    const QStringList words = QString::fromStdString(text).split(QRegularExpression("[\\s,]+"), Qt::SkipEmptyParts);
    if (words.isEmpty())
        throw UsageError("--ids is empty; give token IDs separated by spaces, e.g. --ids \"15496 11 995\"");
    if (words.size() > config.contextLength)
        throw ConfigError(std::to_string(words.size()) + " token IDs are more than the model's context of " +
                          std::to_string(config.contextLength));
    std::vector<int64_t> ids;
    for (const QString& word : words) {
        bool ok = false;
        const qlonglong id = word.toLongLong(&ok);
        if (!ok)
            throw UsageError("--ids: '" + word.toStdString() + "' is not a token ID");
        if (id < 0 || id >= config.vocabSize)
            throw ConfigError("token ID " + std::to_string(id) + " is outside the model's vocabulary (0 to " +
                              std::to_string(config.vocabSize - 1) + ")");
        ids.push_back(id);
    }
    return ids;
}

// %.9g gives back the exact float and keeps the output about half the size of a double's digits.
std::string logitsJson(const torch::Tensor& logits)
{
    const auto rows = logits.accessor<float, 2>();
    std::string json = "[";
    char number[32];
    for (int64_t t = 0; t < rows.size(0); ++t) {
        json += t ? ",\n[" : "[";
        for (int64_t v = 0; v < rows.size(1); ++v) {
            if (!std::isfinite(rows[t][v]))
                throw WeightsError("the model produced a non-finite logit at position " + std::to_string(t) +
                                   "; its weights are broken");
            std::snprintf(number, sizeof number, v ? ",%.9g" : "%.9g", double(rows[t][v]));
            json += number;
        }
        json += "]";
    }
    return json + "]\n";
}

} // namespace

int cmdLogits(const QStringList& args)
{
    Options o("logits", "Print a JSON array holding, for each position, the array of the model's logits "
                        "(one per vocabulary entry) after reading the IDs up to it.");
    o.add("model", "Model folder.", "DIR");
    o.add("ids", "Token IDs separated by spaces (quote them).", "IDS");
    o.add("last", "Print only the last position's array (still inside the outer array).");
    if (!o.parse(args))
        return 0;
    const uint64_t lostPagesBefore = lostMappedPages();
    const LoadedModel loaded = loadModelFolder(resolveModel(o.required("model")), Adapters::Merge, WeightUse::Evaluation);
    const std::vector<int64_t> ids = parseIds(o.required("ids"), loaded.config);

    torch::NoGradGuard noGrad;
    Gpt model = loaded.model;
    model->eval();
    torch::Tensor logits = model->forward(torch::tensor(ids).unsqueeze(0))[0];
    if (o.isSet("last"))
        logits = logits.slice(0, -1);
    const std::string json = logitsJson(logits.contiguous());
    requireNoMappedPagesLostSince(lostPagesBefore);
    std::fwrite(json.data(), 1, json.size(), stdout);
    return 0;
}

} // namespace sft::cli
