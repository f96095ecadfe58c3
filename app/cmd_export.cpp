// sft-studio export: a model handed on as a Hugging Face GPT-2 folder, or as a GGUF file with
// an Ollama Modelfile, saying what it was trained from when it is a checkpoint of a run.

#include "app/cli_support.h"
#include "app/commands.h"
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

#include <QDir>
#include <QFileInfo>

#include <cstdio>
#include <optional>
#include <utility>

namespace sft::cli {

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

GgmlType matrixType(const std::string& name)
{
    if (name == "f32")
        return GgmlType::F32;
    if (name == "f16")
        return GgmlType::F16;
    throw UsageError("--type must be f32 or f16, not '" + name + "'");
}

void writeGguf(LoadedModel& loaded, const BpeVocabulary& vocabulary, const std::string& out, GgmlType type,
               const PromptTemplate& format)
{
    const QFileInfo file(QString::fromStdString(out));
    makeDirectories(file.absolutePath().toStdString());
    GgufExportOptions options;
    options.matrices = type;
    options.name = file.completeBaseName().toStdString();
    exportGguf(out, loaded.model, vocabulary, options);
    const auto [before, after] = aroundInstruction(format);
    const std::string modelfile = file.absoluteDir().filePath("Modelfile").toStdString();
    writeFileAtomic(modelfile, ollamaModelfile(file.fileName().toStdString(), before, after,
                                               loaded.config.contextLength));
    std::printf("%s\n%s\n", out.c_str(), modelfile.c_str());
    std::fprintf(stderr, "to serve it with Ollama: ollama create %s -f %s\n", options.name.c_str(), modelfile.c_str());
}

} // namespace

int cmdExport(const QStringList& args)
{
    Options o("export", "Hand a model on: --format hf writes a Hugging Face GPT-2 folder (config.json, "
                        "model.safetensors, tokenizer files, README.md); --format gguf writes a GGUF file for "
                        "llama.cpp / Ollama / LM Studio and an Ollama Modelfile beside it. A checkpoint of a "
                        "training run is described with the run's base model, dataset, template and settings. "
                        "Prints the files written.");
    o.add("model", "The model: a folder or file in any format --model takes, or a downloaded model's name.", "DIR");
    o.add("format", "hf or gguf.", "FORMAT");
    o.add("out", "hf: the folder to create; gguf: the .gguf file to write.", "PATH");
    o.add("type", "gguf only: f32 or f16 weight matrices (norms and biases stay f32).", "TYPE", "f32");
    o.add("template", "The prompt template the model was trained with: alpaca, phi3 or a template file "
                      "(default: the run's, else alpaca).", "NAME|FILE");
    o.add("tokenizer", "Tokenizer folder (default: the model's).", "DIR");
    if (!o.parse(args))
        return 0;
    const std::string format = o.required("format");
    if (format != "hf" && format != "gguf")
        throw UsageError("--format must be hf or gguf, not '" + format + "'");
    if (o.isSet("type") && format != "gguf")
        throw UsageError("--type applies to --format gguf only");
    const GgmlType type = matrixType(o.text("type"));
    const std::string out = o.required("out");
    const std::string modelPath = resolveModel(o.required("model"));

    ModelProvenance provenance = provenanceOf(runRecordOf(modelPath));
    if (o.isSet("template"))
        provenance.templateName = o.text("template");
    const PromptTemplate prompt = PromptTemplate::byName(provenance.templateName.empty() ? "alpaca"
                                                                                        : provenance.templateName);
    if (provenance.templateName.empty())
        provenance.templateName = "alpaca (assumed: SFT Studio's default; no training run recorded one)";
    if (format == "gguf") {
        const std::string tokenizerDir = o.isSet("tokenizer") ? o.text("tokenizer") : modelFolderOf(modelPath);
        const BpeVocabulary vocabulary = readBpeVocabulary(tokenizerDir);
        LoadedModel loaded = loadModelFolder(modelPath);
        writeGguf(loaded, vocabulary, out, type, prompt);
        return 0;
    }
    if (isModelFolder(out))
        throw ConfigError(out + " already holds a model; choose another --out or delete it first");
    const Tokenizer tokenizer = loadTokenizer(modelPath, o.text("tokenizer"));
    provenance.promptFormat = promptFormat(prompt);
    LoadedModel loaded = loadModelFolder(modelPath);
    exportHuggingFace(out, loaded.model, tokenizer, provenance);
    std::printf("%s\n", out.c_str());
    return 0;
}

} // namespace sft::cli
