#pragma once
// Where the weights are in whatever a chapter-7 reader gives as a model, judged from the files
// there: a Hugging Face GPT-2 folder (config.json + model.safetensors), a .safetensors file with
// the book's own tensor names or a folder holding one, or OpenAI's original TensorFlow
// checkpoint folder (hparams.json, checkpoint, model.ckpt.index, model.ckpt.data-*), or LoRA
// adapters saved alone (adapter_config.json + adapter_model.safetensors, see lora_adapters.h),
// which stand for their base model with the adapters applied. Whether a
// .safetensors file uses Hugging Face's or the book's names is read from the file itself.

#include <string>

namespace sft {

enum class ModelFormat { Safetensors, TensorFlowCheckpoint, LoraAdapters };

struct ModelLocation {
    ModelFormat format;
    std::string folder;  // holds config.json / hparams.json and the tokenizer files
    std::string weights; // the .safetensors file, or the checkpoint prefix ("<folder>/model.ckpt")
                         // (LoraAdapters: adapter_model.safetensors)
};

// WeightsError when the path holds none of them, listing what was looked for, or when a folder
// holds several .safetensors files and none is called model.safetensors. A folder with a
// config.json alone is taken for a Hugging Face folder whose weights are missing (the weights
// path is then that of the missing model.safetensors).
ModelLocation locateModel(const std::string& path);

// The folder of a model path: the path itself, or the folder of a weights file.
std::string modelFolderOf(const std::string& path);

} // namespace sft
