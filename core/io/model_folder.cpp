#include "core/io/model_folder.h"

#include "core/io/safetensors.h"
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

std::vector<HfTensor> hfTensors(Gpt& model)
{
    const auto linear = [](std::vector<HfTensor>& out, const std::string& name, torch::nn::Linear& l) {
        out.push_back({name + ".weight", l->weight, true});
        if (l->bias.defined())
            out.push_back({name + ".bias", l->bias, false});
    };
    const auto norm = [](std::vector<HfTensor>& out, const std::string& name, torch::nn::LayerNorm& n) {
        out.push_back({name + ".weight", n->weight, false});
        out.push_back({name + ".bias", n->bias, false});
    };
    std::vector<HfTensor> out{{"wte.weight", model->wte->weight, false}, {"wpe.weight", model->wpe->weight, false}};
    for (size_t i = 0; i < model->h->size(); ++i) {
        BlockImpl& block = model->h->at<BlockImpl>(i);
        const std::string prefix = "h." + std::to_string(i) + ".";
        norm(out, prefix + "ln_1", block.ln_1);
        linear(out, prefix + "attn.c_attn", block.attn->c_attn);
        linear(out, prefix + "attn.c_proj", block.attn->c_proj);
        norm(out, prefix + "ln_2", block.ln_2);
        linear(out, prefix + "mlp.c_fc", block.mlp->c_fc);
        linear(out, prefix + "mlp.c_proj", block.mlp->c_proj);
    }
    norm(out, "ln_f", model->ln_f);
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

std::string shapeText(torch::IntArrayRef sizes)
{
    std::string s = "[";
    for (size_t i = 0; i < sizes.size(); ++i)
        s += (i ? ", " : "") + std::to_string(sizes[i]);
    return s + "]";
}

torch::Tensor takeTensor(TensorMap& tensors, const std::string& name, torch::IntArrayRef expected,
                         const std::string& file)
{
    auto it = tensors.find(name);
    if (it == tensors.end())
        throw WeightsError(file + " has no tensor '" + name + "'; it does not hold a GPT-2 of this config.json");
    torch::Tensor t = std::move(it->second);
    tensors.erase(it);
    if (t.sizes() != expected)
        throw WeightsError(file + ": tensor '" + name + "' has shape " + shapeText(t.sizes()) + ", expected " +
                           shapeText(expected) + " from config.json");
    if (!t.is_floating_point())
        throw WeightsError(file + ": tensor '" + name + "' holds " + std::string(c10::toString(t.scalar_type())) +
                           ", not floating-point weights");
    return t.to(torch::kFloat);
}

void rejectLeftovers(const TensorMap& tensors, const std::string& file)
{
    if (tensors.empty())
        return;
    std::string names;
    int listed = 0;
    for (const auto& entry : tensors) {
        if (listed++ == 5) {
            names += ", ...";
            break;
        }
        names += (names.empty() ? "'" : ", '") + entry.first + "'";
    }
    throw WeightsError(file + " holds " + std::to_string(tensors.size()) +
                       " tensors a GPT-2 of this config.json does not have (" + names +
                       "); is it a different architecture?");
}

GptConfig readConfig(const std::string& dir)
{
    const std::string path = join(dir, kConfigFile);
    if (!fileExists(path))
        throw WeightsError(dir + " has no " + kConfigFile +
                           "; a model folder holds config.json and model.safetensors (Hugging Face GPT-2 layout)");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(readFile(path));
    } catch (const nlohmann::json::parse_error& e) {
        throw WeightsError(path + " is not valid JSON: " + e.what());
    }
    try {
        return GptConfig::fromHfJson(j);
    } catch (const WeightsError& e) {
        throw WeightsError(path + ": " + e.what());
    }
}

void loadWeights(Gpt& model, const std::string& path)
{
    if (!fileExists(path))
        throw WeightsError("the model folder has no " + path + " (the weights, in safetensors format)");
    TensorMap tensors = normalizedNames(readSafetensors(path).tensors);
    torch::NoGradGuard noGrad;
    for (HfTensor& p : hfTensors(model)) {
        const torch::Tensor expected = p.conv1d ? p.parameter.t() : p.parameter;
        const torch::Tensor value = takeTensor(tensors, p.name, expected.sizes(), path);
        p.parameter.copy_(p.conv1d ? value.t() : value);
    }
    // Files saved with tied embeddings have no head; the chapter copies wte into it.
    if (tensors.count("lm_head.weight"))
        model->lm_head->weight.copy_(takeTensor(tensors, "lm_head.weight", model->lm_head->weight.sizes(), path));
    else
        model->lm_head->weight.copy_(model->wte->weight);
    rejectLeftovers(tensors, path);
}

} // namespace

LoadedModel loadModelFolder(const std::string& dir)
{
    LoadedModel loaded;
    loaded.folder = dir;
    loaded.model = Gpt(readConfig(dir));
    loaded.config = loaded.model->config();
    loadWeights(loaded.model, join(dir, kWeightsFile));
    loaded.model->eval();
    return loaded;
}

bool isModelFolder(const std::string& dir)
{
    return fileExists(join(dir, kConfigFile)) && fileExists(join(dir, kWeightsFile));
}

void saveModelFolder(const std::string& dir, Gpt& model, const Tokenizer* tokenizer)
{
    makeDirectories(dir);
    TensorMap tensors;
    for (const HfTensor& p : hfTensors(model))
        tensors[p.name] = p.conv1d ? p.parameter.t() : p.parameter;
    tensors["lm_head.weight"] = model->lm_head->weight;
    // Hugging Face's loader insists on the format entry.
    writeSafetensors(join(dir, kWeightsFile), tensors, {{"format", "pt"}});
    writeFileAtomic(join(dir, kConfigFile), model->config().toHfJson().dump(2) + "\n");
    if (tokenizer)
        tokenizer->save(dir);
}

Tokenizer loadTokenizer(const std::string& modelDir, const std::string& overrideDir)
{
    const std::string dir = overrideDir.empty() ? modelDir : overrideDir;
    if (!Tokenizer::directoryHasTokenizer(dir))
        throw FormatError("no GPT-2 tokenizer files in " + dir +
                          " (looked for vocab.json + merges.txt, or encoder.json + vocab.bpe); pass --tokenizer "
                          "with a folder holding them, e.g. the files of any Hugging Face GPT-2 download");
    return Tokenizer::fromDirectory(dir);
}

} // namespace sft
