#include "core/io/gguf_export.h"

#include "core/io/weight_walk.h"
#include "core/tokenizer/byte_alphabet.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <torch/torch.h>

#include <sstream>

namespace sft {

namespace {

// llama.cpp's token types (LLAMA_TOKEN_TYPE_*).
constexpr int32_t kNormalToken = 1;
constexpr int32_t kControlToken = 3;

void addHyperparameters(GgufWriter& gguf, const GptConfig& c, const GgufExportOptions& options)
{
    gguf.addString("general.architecture", "gpt2");
    if (!options.name.empty())
        gguf.addString("general.name", options.name);
    // llama.cpp's LLAMA_FTYPE_ALL_F32 and LLAMA_FTYPE_MOSTLY_F16.
    gguf.addUint32("general.file_type", options.matrices == GgmlType::F32 ? 0 : 1);
    gguf.addUint32("gpt2.context_length", uint32_t(c.contextLength));
    gguf.addUint32("gpt2.embedding_length", uint32_t(c.embDim));
    gguf.addUint32("gpt2.feed_forward_length", uint32_t(4 * c.embDim));
    gguf.addUint32("gpt2.block_count", uint32_t(c.nLayers));
    gguf.addUint32("gpt2.attention.head_count", uint32_t(c.nHeads));
    gguf.addFloat32("gpt2.attention.layer_norm_epsilon", float(c.layerNormEps));
}

std::vector<std::string> mergeLines(const BpeVocabulary& vocabulary)
{
    std::istringstream text(vocabulary.toMergesText());
    std::vector<std::string> merges;
    std::string line;
    std::getline(text, line); // "#version: 0.2"
    while (std::getline(text, line))
        merges.push_back(line);
    return merges;
}

void addTokenizer(GgufWriter& gguf, const BpeVocabulary& vocabulary)
{
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    for (int id = 0; id < vocabulary.size(); ++id) {
        tokens.push_back(spellBytes(vocabulary.bytesOf(id)));
        types.push_back(id == vocabulary.endOfText() ? kControlToken : kNormalToken);
    }
    gguf.addString("tokenizer.ggml.model", "gpt2");
    gguf.addString("tokenizer.ggml.pre", "gpt-2");
    gguf.addStringArray("tokenizer.ggml.tokens", tokens);
    gguf.addInt32Array("tokenizer.ggml.token_type", types);
    gguf.addStringArray("tokenizer.ggml.merges", mergeLines(vocabulary));
    gguf.addUint32("tokenizer.ggml.bos_token_id", uint32_t(vocabulary.endOfText()));
    gguf.addUint32("tokenizer.ggml.eos_token_id", uint32_t(vocabulary.endOfText()));
    // GPT-2 prompts start with their first token, as SFT Studio trained them.
    gguf.addBool("tokenizer.ggml.add_bos_token", false);
}

void addTensors(GgufWriter& gguf, Gpt& model, GgmlType matrices)
{
    const auto name = [](WeightPart part, int64_t layer) { return weightName(WeightNames::Gguf, part, layer); };
    const auto vector = [&](const std::string& tensor, const torch::Tensor& t) { gguf.addTensor(tensor, t, GgmlType::F32); };
    walkWeights(model, {[&](WeightPart part, torch::Tensor& weight) {
                            gguf.addTensor(name(part, -1) + ".weight", weight, matrices);
                        },
                        [&](WeightPart part, int64_t layer, LoraLinear& l) {
                            const std::string base = name(part, layer);
                            gguf.addTensor(base + ".weight", l->weight, matrices);
                            // llama.cpp's gpt2 requires every bias; a model without qkv bias has zeros there.
                            vector(base + ".bias", l->bias.defined() ? l->bias : torch::zeros({l->weight.size(0)}));
                        },
                        [&](WeightPart part, int64_t layer, torch::nn::LayerNorm& n) {
                            vector(name(part, layer) + ".weight", n->weight);
                            vector(name(part, layer) + ".bias", n->bias);
                        }});
    gguf.addTensor("output.weight", model->lm_head->weight, matrices);
}

} // namespace

void exportGguf(const std::string& path, Gpt& model, const BpeVocabulary& vocabulary,
                const GgufExportOptions& options)
{
    const GptConfig& config = model->config();
    if (vocabulary.size() != config.vocabSize)
        throw ConfigError("the model has a vocabulary of " + std::to_string(config.vocabSize) +
                          " tokens but its tokenizer has " + std::to_string(vocabulary.size()) +
                          "; a GGUF file needs one token string per row of the embedding");
    GgufWriter gguf;
    addHyperparameters(gguf, config, options);
    addTokenizer(gguf, vocabulary);
    addTensors(gguf, model, options.matrices);
    gguf.write(path);
}

BpeVocabulary readBpeVocabulary(const std::string& dir)
{
    for (const auto& [vocab, merges] : {std::pair{"vocab.json", "merges.txt"}, std::pair{"encoder.json", "vocab.bpe"}}) {
        const std::string vocabPath = dir + "/" + vocab, mergesPath = dir + "/" + merges;
        if (fileExists(vocabPath) && fileExists(mergesPath))
            return BpeVocabulary::parse(readFile(vocabPath), vocabPath, readFile(mergesPath), mergesPath);
    }
    throw FormatError("no GPT-2 tokenizer files in " + dir +
                      " (looked for vocab.json + merges.txt, or encoder.json + vocab.bpe); a GGUF file carries "
                      "its tokenizer, so give a folder holding them");
}

} // namespace sft
