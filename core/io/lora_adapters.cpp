#include "core/io/lora_adapters.h"

#include "core/io/config_file.h"
#include "core/io/safetensors.h"
#include "core/io/weight_source.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>

namespace sft {

namespace {

const char* const kConfigFile = "adapter_config.json";
const char* const kWeightsFile = "adapter_model.safetensors";

std::string join(const std::string& dir, const char* file) { return dir + "/" + file; }

LoraOptions readAdapterConfig(const std::string& path)
{
    try {
        return LoraOptions::fromJson(readJsonFile(path));
    } catch (const ConfigError& e) {
        throw WeightsError(path + ": " + e.what());
    }
}

// Takes one adapter matrix out of `tensors`, checked against the shape this model needs.
torch::Tensor takeMatrix(TensorMap& tensors, const std::string& name, torch::IntArrayRef expected,
                         const std::string& file)
{
    const auto it = tensors.find(name);
    if (it == tensors.end())
        throw WeightsError(file + " has no tensor '" + name + "', which its " + kConfigFile +
                           " promises for this model; the adapters were made for a model of another size, or the file "
                           "is incomplete");
    const torch::Tensor t = it->second;
    tensors.erase(it);
    if (t.sizes() != expected)
        throw WeightsError(file + ": tensor '" + name + "' has shape " + shapeText(t.sizes()) + ", expected " +
                           shapeText(expected) + " for this model; the adapters were made for a model of another size");
    if (!t.is_floating_point())
        throw WeightsError(file + ": tensor '" + name + "' is not floating-point");
    return t;
}

} // namespace

std::string loraTensorName(const LoraSite& site, const std::string& matrix)
{
    const std::string module = site.module == "lm_head" ? site.module : "transformer." + site.module;
    return "base_model.model." + module + (site.part.empty() ? "" : "." + site.part) + "." + matrix + ".weight";
}

void saveLoraAdapters(const std::string& dir, Gpt& model, const std::string& baseModel)
{
    const LoraOptions options = loraOptionsOf(model);
    TensorMap tensors;
    for (const LoraSite& site : loraSites(model, options.targets)) {
        const LoraAdapter adapter = site.linear->findAdapter(site.part);
        tensors[loraTensorName(site, "lora_A")] = adapter->lora_A;
        tensors[loraTensorName(site, "lora_B")] = adapter->lora_B;
    }
    nlohmann::json config = options.toJson();
    config["peft_type"] = "LORA";
    config["task_type"] = "CAUSAL_LM";
    config["base_model_name_or_path"] = baseModel;
    makeDirectories(dir);
    writeSafetensors(join(dir, kWeightsFile), tensors, {{"format", "pt"}});
    writeFileAtomic(join(dir, kConfigFile), config.dump(2) + "\n");
}

LoraOptions loadLoraAdapters(Gpt& model, const std::string& dir)
{
    if (!isLoraAdapterFolder(dir))
        throw WeightsError(dir + " is not a LoRA adapter folder (it needs " + kConfigFile + " and " + kWeightsFile +
                           ")");
    const LoraOptions options = readAdapterConfig(join(dir, kConfigFile));
    const std::string file = join(dir, kWeightsFile);
    TensorMap tensors = readSafetensors(file).tensors;
    // Everything is checked before the model changes, so a refused folder leaves it as it was.
    std::vector<std::pair<torch::Tensor, torch::Tensor>> matrices;
    for (const LoraSite& site : loraSites(model, options.targets)) {
        const int64_t in = site.linear->options().in_features();
        matrices.emplace_back(takeMatrix(tensors, loraTensorName(site, "lora_A"), {options.rank, in}, file),
                              takeMatrix(tensors, loraTensorName(site, "lora_B"), {site.size, options.rank}, file));
    }
    if (!tensors.empty())
        throw WeightsError(file + " holds " + std::to_string(tensors.size()) + " tensors this model has no place for ('" +
                           tensors.begin()->first + "', ...); the adapters were made for a model of another size");
    addLora(model, options, 0);
    torch::NoGradGuard noGrad;
    const std::vector<LoraSite> sites = loraSites(model, options.targets);
    for (size_t i = 0; i < sites.size(); ++i) {
        const LoraAdapter adapter = sites[i].linear->findAdapter(sites[i].part);
        adapter->lora_A.copy_(matrices[i].first);
        adapter->lora_B.copy_(matrices[i].second);
    }
    return options;
}

std::string adapterBaseModel(const std::string& dir)
{
    const std::string path = join(dir, kConfigFile);
    const nlohmann::json config = readJsonFile(path);
    const nlohmann::json base = config.value("base_model_name_or_path", nlohmann::json());
    if (!base.is_string() || base.get<std::string>().empty())
        throw WeightsError(path + " names no base model (base_model_name_or_path); load a base model and add the "
                           "adapters to it");
    const QString name = QString::fromStdString(base.get<std::string>());
    const QString resolved = QDir(QString::fromStdString(dir)).filePath(name);
    if (!QFileInfo::exists(resolved))
        throw WeightsError("the adapters in " + dir + " were trained on " + name.toStdString() +
                           ", which is not here; set base_model_name_or_path in " + path +
                           " to the folder of that base model");
    return QDir::cleanPath(resolved).toStdString();
}

bool isLoraAdapterFolder(const std::string& dir)
{
    return fileExists(join(dir, kConfigFile)) && fileExists(join(dir, kWeightsFile));
}

} // namespace sft
