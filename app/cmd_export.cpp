// sft-studio export: a model handed on as a Hugging Face GPT-2 folder, or as a GGUF file with
// an Ollama Modelfile, saying what it was trained from when it is a checkpoint of a run.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/jobs/export_job.h"

#include <cstdio>

namespace sft::cli {

namespace {

ExportJob::Format formatByName(const std::string& name)
{
    if (name == "hf")
        return ExportJob::Format::HuggingFace;
    if (name == "gguf")
        return ExportJob::Format::Gguf;
    throw UsageError("--format must be hf or gguf, not '" + name + "'");
}

ExportJob::Matrices matricesByName(const std::string& name)
{
    if (name == "f32")
        return ExportJob::Matrices::F32;
    if (name == "f16")
        return ExportJob::Matrices::F16;
    throw UsageError("--type must be f32 or f16, not '" + name + "'");
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
    ExportJob job;
    job.format = formatByName(o.required("format"));
    if (o.isSet("type") && job.format != ExportJob::Format::Gguf)
        throw UsageError("--type applies to --format gguf only");
    job.matrices = matricesByName(o.text("type"));
    job.out = o.required("out");
    job.model = o.required("model");
    job.templateName = o.text("template");
    job.tokenizer = o.text("tokenizer");
    const ExportResult result = runExport(job);
    for (const std::string& file : result.files)
        std::printf("%s\n", file.c_str());
    if (!result.modelfile.empty())
        std::fprintf(stderr, "to serve it with Ollama: ollama create %s -f %s\n", result.ollamaName.c_str(),
                     result.modelfile.c_str());
    return 0;
}

} // namespace sft::cli
