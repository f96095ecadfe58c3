#include "core/train/run_inputs.h"

#include "core/util/error.h"

namespace sft {

namespace {

std::string recorded(const nlohmann::json& run, const char* pointer)
{
    const nlohmann::json::json_pointer at(pointer);
    if (!run.contains(at) || !run.at(at).is_string())
        throw FormatError("run.json lacks " + std::string(pointer) + "; this run cannot be resumed");
    return run.at(at).get<std::string>();
}

Dataset recordedDataset(const nlohmann::json& run)
{
    const TrainOptions options = TrainOptions::fromJson(run.value("options", nlohmann::json::object()));
    Dataset dataset = loadDataset(recorded(run, "/dataset/path"), BadEntries::Skip, options.entryFields());
    if (dataset.sha256 != recorded(run, "/dataset/sha256"))
        throw ConfigError(dataset.path + " has changed since the run started (its sha256 differs); resuming needs "
                          "the same data");
    return dataset;
}

Tokenizer recordedTokenizer(const RunDirectory& run)
{
    if (!Tokenizer::directoryHasTokenizer(run.tokenizerPath()))
        throw FormatError(run.path() + " holds no tokenizer/ folder (runs of earlier versions do not); it cannot be "
                          "resumed");
    return Tokenizer::fromDirectory(run.tokenizerPath());
}

} // namespace

TrainInputs loadRunInputs(const RunDirectory& run, const std::string& checkpoint)
{
    const nlohmann::json json = run.readRunJson();
    const std::string model = checkpoint.empty() ? recorded(json, "/model/source") : checkpoint;
    return {loadModelFolder(model, Adapters::Keep), recordedTokenizer(run), recordedDataset(json)};
}

} // namespace sft
