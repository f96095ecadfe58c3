#pragma once
// LoRA adapters saved alone, as PEFT does: a folder with adapter_config.json (the LoraOptions,
// PEFT's keys where PEFT has one) and adapter_model.safetensors holding only lora_A [r, in] and
// lora_B [out, r] of each adapted matrix, a few MB instead of the whole model. Tensor names
// (docs/models.md): "base_model.model.transformer.h.N.attn.c_proj.lora_A.weight" as PEFT names
// them, "base_model.model.lm_head.lora_B.weight" for the head, and for the separate q, k, v
// bands of the fused c_attn "base_model.model.transformer.h.N.attn.c_attn.q.lora_A.weight".

#include "core/model/lora.h"

#include <string>

namespace sft {

// The file name of one adapter matrix; `matrix` is "lora_A" or "lora_B".
std::string loraTensorName(const LoraSite& site, const std::string& matrix);

// Writes the model's adapters into `dir`; `baseModel` (a name or path, may be empty) is
// recorded as base_model_name_or_path. ConfigError when the model has no adapters.
void saveLoraAdapters(const std::string& dir, Gpt& model, const std::string& baseModel = {});
// Adds the adapters saved in `dir` to `model` (a base model without adapters; its weights are
// frozen, as addLora does) and returns their options. WeightsError (a FormatError) naming the
// file and tensor when they were made for another model shape or the files are malformed.
LoraOptions loadLoraAdapters(Gpt& model, const std::string& dir);
// The base model the adapters in `dir` were trained on: adapter_config.json's
// base_model_name_or_path, taken relative to `dir` when it is not absolute. WeightsError when
// it names no folder or file here (a Hugging Face Hub name, or a model moved since).
std::string adapterBaseModel(const std::string& dir);
// Whether `dir` holds adapter_config.json and adapter_model.safetensors.
bool isLoraAdapterFolder(const std::string& dir);

} // namespace sft
