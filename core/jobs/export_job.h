#pragma once
// Handing a model on as one call, the same for `sft-studio export` and any view that offers it:
// a Hugging Face GPT-2 folder, or a GGUF file with an Ollama Modelfile beside it. A checkpoint
// of a run is described with the run's base model, dataset, template and settings.

#include <string>
#include <vector>

namespace sft {

struct ExportJob {
    enum class Format { HuggingFace, Gguf };
    enum class Matrices { F32, F16 }; // GGUF's weight matrices; norms and biases stay f32

    std::string model; // a folder or file in any format a model is read from, or a downloaded model's name
    Format format = Format::HuggingFace;
    std::string out;          // HuggingFace: the folder to create; Gguf: the .gguf file
    Matrices matrices = Matrices::F32;
    std::string templateName; // empty: the run's, else alpaca
    std::string tokenizer;    // empty: the model's
};

struct ExportResult {
    std::vector<std::string> files; // what was written, for the user
    std::string ollamaName;         // Gguf: the name `ollama create` takes
    std::string modelfile;          // Gguf: the Modelfile written beside the file
};

// ConfigError when out already holds a model folder; IoError, FormatError for what cannot be read.
ExportResult runExport(const ExportJob& job);

} // namespace sft
