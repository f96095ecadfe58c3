#include "core/io/model_folder.h"

#include "core/io/book_weights.h"
#include "core/io/config_file.h"
#include "core/io/lora_adapters.h"
#include "core/io/model_format.h"
#include "core/io/openai_checkpoint.h"
#include "core/io/safetensors.h"
#include "core/io/weight_source.h"
#include "core/io/weight_walk.h"
#include "core/model/weights_to_load.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <torch/torch.h>

#include <vector>

namespace sft {

namespace {

const char* const kConfigFile = "config.json";
const char* const kWeightsFile = "model.safetensors";

std::string join(const std::string& dir, const char* file) { return dir + "/" + file; }

// A model parameter under its Hugging Face name. HF's Conv1D stores [in, out], the transpose
// of a Linear weight.
struct HfTensor {
    std::string name;
    torch::Tensor parameter;
    bool conv1d;
};

// loraMerged: a layer's weight with its LoRA adapters added in, for saving; otherwise the
// parameter itself, for loading into.
std::vector<HfTensor> hfTensors(Gpt& model, bool loraMerged)
{
    const auto name = [](WeightPart part, int64_t layer) { return weightName(WeightNames::HuggingFace, part, layer); };
    std::vector<HfTensor> out;
    walkWeights(model, {[&](WeightPart part, torch::Tensor& weight) {
                            out.push_back({name(part, -1) + ".weight", weight, false});
                        },
                        [&](WeightPart part, int64_t layer, LoraLinear& l) {
                            const std::string base = name(part, layer);
                            out.push_back({base + ".weight", loraMerged ? l->mergedWeight() : l->weight, true});
                            if (l->bias.defined())
                                out.push_back({base + ".bias", l->bias, false});
                        },
                        [&](WeightPart part, int64_t layer, torch::nn::LayerNorm& n) {
                            out.push_back({name(part, layer) + ".weight", n->weight, false});
                            out.push_back({name(part, layer) + ".bias", n->bias, false});
                        }});
    return out;
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// HF's GPT2LMHeadModel.save_pretrained prefixes the body with "transformer."; the causal-mask
// buffers some files carry (attn.bias, attn.masked_bias) are not weights.
TensorMap normalizedNames(TensorMap tensors)
{
    const std::string prefix = "transformer.";
    TensorMap out;
    for (auto& [name, tensor] : tensors) {
        const std::string plain = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
        if (!endsWith(plain, ".attn.bias") && !endsWith(plain, ".attn.masked_bias"))
            out[plain] = std::move(tensor);
    }
    return out;
}

GptConfig readConfig(const std::string& dir)
{
    const std::string path = join(dir, kConfigFile);
    if (!fileExists(path))
        throw WeightsError(dir + " has no " + kConfigFile +
                           "; a model folder holds config.json and model.safetensors (Hugging Face GPT-2 layout)");
    return readGptConfigFile(path);
}

void loadHfWeights(Gpt& model, TensorMap tensors, const std::string& path, WeightUse use)
{
    WeightSource source(normalizedNames(std::move(tensors)), path, "this config.json", use);
    std::vector<WeightSlot> slots;
    for (HfTensor& p : hfTensors(model, false))
        slots.push_back({p.name, p.parameter, p.conv1d ? WeightLayout::Transposed : WeightLayout::AsIs});
    source.fillModel(std::move(slots), model, "lm_head.weight");
}

// A model the safetensors file fills entirely (the loaders require every weight of it).
Gpt modelToLoad(const GptConfig& config)
{
    WeightsToLoad undrawn;
    return Gpt(config);
}

// Hugging Face's names need the config.json beside the file; the book's names carry their
// sizes, and a config.json there only adds what they cannot (the head count).
Gpt loadSafetensorsModel(const ModelLocation& location, WeightUse use)
{
    if (!fileExists(location.weights)) {
        readConfig(location.folder); // in a half-made folder a broken config.json is named first
        throw WeightsError("the model folder has no " + location.weights + " (the weights, in safetensors format)");
    }
    TensorMap tensors = readSafetensors(location.weights).tensors;
    if (!hasBookNames(tensors)) {
        Gpt model = modelToLoad(readConfig(location.folder));
        loadHfWeights(model, std::move(tensors), location.weights, use);
        return model;
    }
    const std::string configPath = join(location.folder, kConfigFile);
    const bool hasConfig = fileExists(configPath);
    const nlohmann::json configJson = hasConfig ? readJsonFile(configPath) : nlohmann::json();
    Gpt model = modelToLoad(bookConfig(tensors, location.weights, hasConfig ? &configJson : nullptr, configPath));
    WeightSource source(std::move(tensors), location.weights,
                        hasConfig ? "the sizes its embeddings and config.json give" : "the sizes its embeddings give",
                        use);
    loadBookWeights(model, source);
    return model;
}

LoadedModel loadAdapterFolder(const std::string& dir, Adapters adapters)
{
    const std::string base = adapterBaseModel(dir);
    if (locateModel(base).format == ModelFormat::LoraAdapters)
        throw WeightsError("the base model of the adapters in " + dir + " is " + base +
                           ", itself a folder of adapters; load it merged into a full model first");
    LoadedModel loaded = loadModelFolder(base, Adapters::Merge);
    loadLoraAdapters(loaded.model, dir);
    if (adapters == Adapters::Merge)
        mergeLora(loaded.model);
    loaded.folder = dir;
    loaded.model->eval();
    return loaded;
}

} // namespace

LoadedModel loadModelFolder(const std::string& path, Adapters adapters, WeightUse use)
{
    if (adapters == Adapters::Keep && isLoraAdapterFolder(path))
        return loadAdapterFolder(path, adapters);
    const ModelLocation location = locateModel(path);
    if (location.format == ModelFormat::LoraAdapters)
        return loadAdapterFolder(location.folder, adapters);
    LoadedModel loaded;
    loaded.folder = path;
    loaded.model = location.format == ModelFormat::TensorFlowCheckpoint
                       ? loadOpenAiCheckpoint(location.folder, location.weights)
                       : loadSafetensorsModel(location, use);
    loaded.config = loaded.model->config();
    loaded.model->eval();
    return loaded;
}

std::optional<GptConfig> readModelConfig(const std::string& path)
{
    std::string folder = modelFolderOf(path);
    if (isLoraAdapterFolder(folder) && !fileExists(join(folder, kConfigFile)))
        folder = modelFolderOf(adapterBaseModel(folder));
    for (const char* name : {kConfigFile, "hparams.json"})
        if (fileExists(join(folder, name)))
            return readGptConfigFile(join(folder, name));
    return std::nullopt;
}

bool isModelFolder(const std::string& path)
{
    try {
        const ModelLocation location = locateModel(path);
        return fileExists(location.format == ModelFormat::TensorFlowCheckpoint ? location.weights + ".index"
                                                                               : location.weights);
    } catch (const WeightsError&) {
        return false;
    }
}

void saveModelFolder(const std::string& dir, Gpt& model, const Tokenizer* tokenizer)
{
    makeDirectories(dir);
    TensorMap tensors;
    for (const HfTensor& p : hfTensors(model, true))
        tensors[p.name] = p.conv1d ? p.parameter.t() : p.parameter;
    tensors["lm_head.weight"] = model->lm_head->mergedWeight();
    // Hugging Face's loader insists on the format entry.
    writeSafetensors(join(dir, kWeightsFile), tensors, {{"format", "pt"}});
    writeFileAtomic(join(dir, kConfigFile), model->config().toHfJson().dump(2) + "\n");
    if (tokenizer)
        tokenizer->save(dir);
}

Tokenizer loadTokenizer(const std::string& modelDir, const std::string& overrideDir)
{
    std::string dir = overrideDir.empty() ? modelFolderOf(modelDir) : overrideDir;
    if (overrideDir.empty() && !Tokenizer::directoryHasTokenizer(dir) && isLoraAdapterFolder(dir))
        dir = modelFolderOf(adapterBaseModel(dir));
    if (!Tokenizer::directoryHasTokenizer(dir))
        throw FormatError("no GPT-2 tokenizer files in " + dir +
                          " (looked for vocab.json + merges.txt, or encoder.json + vocab.bpe); pass --tokenizer "
                          "with a folder holding them, e.g. the files of any Hugging Face GPT-2 download");
    return Tokenizer::fromDirectory(dir);
}

} // namespace sft
