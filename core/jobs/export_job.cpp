#include "core/jobs/export_job.h"

#include "core/data/prompt_template.h"
#include "core/hub/model_cache.h"
#include "core/io/gguf_export.h"
#include "core/io/hf_export.h"
#include "core/io/model_folder.h"
#include "core/io/model_format.h"
#include "core/io/ollama_modelfile.h"
#include "core/train/run_directory.h"
#include "core/train/run_products.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <filesystem>
#include <optional>
#include <utility>

namespace sft {

namespace {

struct RunRecord {
    std::string path; // run.json
    nlohmann::json json;
};

// A checkpoint of a run lives in RUN/checkpoints/NAME, with the run's record in RUN/run.json.
std::optional<RunRecord> runRecordOf(const std::string& modelPath)
{
    const std::optional<std::string> folder = runOfCheckpoint(modelPath);
    if (!folder)
        return std::nullopt;
    const RunDirectory run = RunDirectory::open(*folder);
    return RunRecord{run.runJsonPath(), run.readRunJson()};
}

std::string datasetText(const nlohmann::json& dataset)
{
    std::string text = dataset.value("path", "");
    if (dataset.contains("sha256"))
        text += " (sha256 " + dataset.value("sha256", "") + ", " + std::to_string(dataset.value("entries", 0)) +
                " entries)";
    return text;
}

ModelProvenance provenanceOf(const std::optional<RunRecord>& run)
{
    using Pointer = nlohmann::json::json_pointer;
    ModelProvenance p;
    if (!run)
        return p;
    try {
        p.baseModel = run->json.value(Pointer("/model/source"), "");
        p.dataset = datasetText(run->json.value("dataset", nlohmann::json::object()));
        p.templateName = run->json.value(Pointer("/options/template"), "");
        p.settings = run->json.value("options", nlohmann::json::object());
        p.settings["steps_done"] = run->json.value("steps_done", 0);
    } catch (const nlohmann::json::exception& e) {
        throw FormatError(run->path + " does not have the fields of an SFT Studio run: " + e.what());
    }
    return p;
}

// The prompt around the user's instruction, the response header included: what the model
// expects to continue.
std::pair<std::string, std::string> aroundInstruction(const PromptTemplate& format)
{
    const std::string marker = "\x1f";
    Entry entry;
    entry.instruction = marker;
    const std::string text = format.prompt(entry) + format.response(entry);
    const size_t at = text.find(marker);
    return {text.substr(0, at), text.substr(at + marker.size())};
}

std::string promptFormat(const PromptTemplate& format)
{
    Entry entry;
    entry.instruction = "{instruction}";
    entry.input = "{input}";
    return format.prompt(entry) + format.response(entry);
}

ExportResult writeGguf(const ExportJob& job, const std::string& modelPath, const PromptTemplate& format)
{
    const std::filesystem::path file = std::filesystem::absolute(job.out);
    makeDirectories(file.parent_path().string());
    const BpeVocabulary vocabulary = readBpeVocabulary(job.tokenizer.empty() ? modelFolderOf(modelPath) : job.tokenizer);
    LoadedModel loaded = loadModelFolder(modelPath);
    GgufExportOptions options;
    options.matrices = job.matrices == ExportJob::Matrices::F16 ? GgmlType::F16 : GgmlType::F32;
    options.name = file.stem().string();
    exportGguf(job.out, loaded.model, vocabulary, options);
    const auto [before, after] = aroundInstruction(format);
    const std::string modelfile = (file.parent_path() / "Modelfile").string();
    writeFileAtomic(modelfile, ollamaModelfile(file.filename().string(), before, after, loaded.config.contextLength));
    return {{job.out, modelfile}, options.name, modelfile};
}

} // namespace

ExportResult runExport(const ExportJob& job)
{
    const std::string modelPath = resolveModel(job.model);
    ModelProvenance provenance = provenanceOf(runRecordOf(modelPath));
    if (!job.templateName.empty())
        provenance.templateName = job.templateName;
    const PromptTemplate prompt = PromptTemplate::byName(provenance.templateName.empty() ? "alpaca"
                                                                                        : provenance.templateName);
    if (provenance.templateName.empty())
        provenance.templateName = "alpaca (assumed: SFT Studio's default; no training run recorded one)";
    if (job.format == ExportJob::Format::Gguf)
        return writeGguf(job, modelPath, prompt);
    if (isModelFolder(job.out))
        throw ConfigError(job.out + " already holds a model; choose another --out or delete it first");
    const Tokenizer tokenizer = loadTokenizer(modelPath, job.tokenizer);
    provenance.promptFormat = promptFormat(prompt);
    LoadedModel loaded = loadModelFolder(modelPath);
    exportHuggingFace(job.out, loaded.model, tokenizer, provenance);
    return {{job.out}, {}, {}};
}

} // namespace sft
