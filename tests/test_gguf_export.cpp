// GGUF export read back by a GGUF v3 reader written here from the specification
// (ggml/docs/gguf.md): llama.cpp's gpt2 key names and values, the tokenizer exactly as OpenAI's
// encoder.json and vocab.bpe have it, every tensor under llama.cpp's name with its dimensions
// innermost first, F16 only for matrices when asked, data at 32-byte alignment and equal to the
// model's weights; and clear errors for a missing tokenizer or one of another size.

#include "core/io/gguf_export.h"
#include "core/io/ollama_modelfile.h"
#include "core/io/model_folder.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstring>
#include <sstream>

using sft::Gpt;
using sft::GptConfig;

namespace {

struct GgufTensorInfo {
    std::vector<uint64_t> dims; // innermost first
    uint32_t type = 0;
    uint64_t offset = 0;
};

struct GgufFile {
    uint32_t version = 0;
    nlohmann::json metadata = nlohmann::json::object();
    std::map<std::string, uint32_t> metadataTypes;
    std::vector<std::string> tensorOrder;
    std::map<std::string, GgufTensorInfo> tensors;
    uint64_t dataStart = 0;
    std::string bytes;
};

class Reader {
public:
    explicit Reader(const std::string& bytes) : b_(bytes) {}
    template <typename T> T get()
    {
        if (pos_ + sizeof(T) > b_.size())
            throw std::runtime_error("GGUF ends early");
        T v;
        std::memcpy(&v, b_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::string string()
    {
        const auto n = get<uint64_t>();
        if (pos_ + n > b_.size())
            throw std::runtime_error("GGUF string runs past the end");
        std::string s = b_.substr(pos_, n);
        pos_ += n;
        return s;
    }
    nlohmann::json value(uint32_t type)
    {
        switch (type) {
        case 4: return get<uint32_t>();
        case 5: return get<int32_t>();
        case 6: return get<float>();
        case 7: return get<uint8_t>() != 0;
        case 8: return string();
        case 9: {
            const auto itemType = get<uint32_t>();
            const auto n = get<uint64_t>();
            nlohmann::json array = nlohmann::json::array();
            for (uint64_t i = 0; i < n; ++i)
                array.push_back(value(itemType));
            return array;
        }
        default: throw std::runtime_error("unexpected GGUF value type " + std::to_string(type));
        }
    }
    uint64_t position() const { return pos_; }

private:
    const std::string& b_;
    uint64_t pos_ = 0;
};

GgufFile readGguf(const std::string& path)
{
    GgufFile f;
    f.bytes = sft::readFile(path);
    Reader r(f.bytes);
    if (r.get<uint32_t>() != 0x46554747) // "GGUF" read as a little-endian uint32
        throw std::runtime_error("no GGUF magic");
    f.version = r.get<uint32_t>();
    const auto tensorCount = r.get<uint64_t>();
    const auto kvCount = r.get<uint64_t>();
    for (uint64_t i = 0; i < kvCount; ++i) {
        const std::string key = r.string();
        const auto type = r.get<uint32_t>();
        f.metadataTypes[key] = type;
        f.metadata[key] = r.value(type);
    }
    for (uint64_t i = 0; i < tensorCount; ++i) {
        const std::string name = r.string();
        GgufTensorInfo info;
        const auto nDims = r.get<uint32_t>();
        for (uint32_t d = 0; d < nDims; ++d)
            info.dims.push_back(r.get<uint64_t>());
        info.type = r.get<uint32_t>();
        info.offset = r.get<uint64_t>();
        f.tensorOrder.push_back(name);
        f.tensors[name] = info;
    }
    f.dataStart = (r.position() + 31) / 32 * 32;
    return f;
}

// A tensor's data as the reader finds it, in the torch shape its reversed dims give.
torch::Tensor tensorData(const GgufFile& f, const std::string& name)
{
    const GgufTensorInfo& info = f.tensors.at(name);
    std::vector<int64_t> shape(info.dims.rbegin(), info.dims.rend());
    const auto type = info.type == 0 ? torch::kFloat : torch::kHalf;
    torch::Tensor t = torch::empty(shape, type);
    const size_t bytes = size_t(t.numel()) * t.element_size();
    if (f.dataStart + info.offset + bytes > f.bytes.size())
        throw std::runtime_error(name + " runs past the end of the file");
    std::memcpy(t.data_ptr(), f.bytes.data() + f.dataStart + info.offset, bytes);
    return t;
}

std::string tokenizerDir() { return sft::test::sharedPath("data/gpt2-tokenizer"); }

GptConfig smallConfig()
{
    GptConfig c;
    c.contextLength = 16;
    c.embDim = 8;
    c.nLayers = 2;
    c.nHeads = 2;
    return c;
}

Gpt randomModel()
{
    Gpt model(smallConfig());
    model->initWeights(5);
    return model;
}

// encoder.json's tokens in id order, and vocab.bpe's merges: what any GPT-2 GGUF must carry.
std::vector<std::string> openAiTokens()
{
    const auto encoder = nlohmann::json::parse(sft::readFile(tokenizerDir() + "/encoder.json"));
    std::vector<std::string> tokens(encoder.size());
    for (auto it = encoder.begin(); it != encoder.end(); ++it)
        tokens.at(it.value().get<size_t>()) = it.key();
    return tokens;
}

std::vector<std::string> openAiMerges()
{
    std::istringstream lines(sft::readFile(tokenizerDir() + "/vocab.bpe"));
    std::vector<std::string> merges;
    std::string line;
    std::getline(lines, line);
    while (std::getline(lines, line))
        if (!line.empty())
            merges.push_back(line);
    return merges;
}

} // namespace

class TestGgufExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!sft::test::sharedAvailable())
            QSKIP("shared reference data not found");
    }
    void writesLlamaCppGpt2Metadata();
    void carriesOpenAisTokenizer();
    void namesAndLaysOutTensorsAsLlamaCpp();
    void f16KeepsNormsAndBiasesF32();
    void withoutTokenizerFilesSaysWhatWasLookedFor();
    void tokenizerOfAnotherSizeIsRefused();
    void modelfileServesTheTrainedPrompt();
};

void TestGgufExport::writesLlamaCppGpt2Metadata()
{
    Gpt model = randomModel();
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.gguf").toStdString();
    sft::exportGguf(path, model, sft::readBpeVocabulary(tokenizerDir()), {sft::GgmlType::F32, "m"});
    const GgufFile f = readGguf(path);
    QCOMPARE(f.version, 3u);
    const nlohmann::json& m = f.metadata;
    QCOMPARE(m["general.architecture"], nlohmann::json("gpt2"));
    QCOMPARE(m["general.name"], nlohmann::json("m"));
    QCOMPARE(m["general.file_type"], nlohmann::json(0));
    QCOMPARE(m["gpt2.context_length"], nlohmann::json(16));
    QCOMPARE(m["gpt2.embedding_length"], nlohmann::json(8));
    QCOMPARE(m["gpt2.feed_forward_length"], nlohmann::json(32));
    QCOMPARE(m["gpt2.block_count"], nlohmann::json(2));
    QCOMPARE(m["gpt2.attention.head_count"], nlohmann::json(2));
    QCOMPARE(m["gpt2.attention.layer_norm_epsilon"].get<float>(), 1e-5f);
    // llama.cpp reads these with gguf_get_val_u32 / _f32 and refuses other types.
    for (const char* key : {"general.file_type", "gpt2.context_length", "gpt2.embedding_length",
                            "gpt2.feed_forward_length", "gpt2.block_count", "gpt2.attention.head_count",
                            "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"})
        QVERIFY2(f.metadataTypes.at(key) == 4, key);
    QCOMPARE(f.metadataTypes.at("gpt2.attention.layer_norm_epsilon"), 6u);
}

void TestGgufExport::carriesOpenAisTokenizer()
{
    Gpt model = randomModel();
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.gguf").toStdString();
    sft::exportGguf(path, model, sft::readBpeVocabulary(tokenizerDir()), {});
    const nlohmann::json& m = readGguf(path).metadata;
    QCOMPARE(m["tokenizer.ggml.model"], nlohmann::json("gpt2"));
    QCOMPARE(m["tokenizer.ggml.pre"], nlohmann::json("gpt-2"));
    QVERIFY(m["tokenizer.ggml.tokens"].get<std::vector<std::string>>() == openAiTokens());
    QVERIFY(m["tokenizer.ggml.merges"].get<std::vector<std::string>>() == openAiMerges());
    const auto types = m["tokenizer.ggml.token_type"].get<std::vector<int>>();
    QCOMPARE(types.size(), size_t(50257));
    QCOMPARE(types[50256], 3); // LLAMA_TOKEN_TYPE_CONTROL
    QCOMPARE(std::count(types.begin(), types.end(), 1), 50256l); // LLAMA_TOKEN_TYPE_NORMAL
    QCOMPARE(m["tokenizer.ggml.bos_token_id"], nlohmann::json(50256));
    QCOMPARE(m["tokenizer.ggml.eos_token_id"], nlohmann::json(50256));
    QCOMPARE(m["tokenizer.ggml.add_bos_token"], nlohmann::json(false));
}

void TestGgufExport::namesAndLaysOutTensorsAsLlamaCpp()
{
    Gpt model = randomModel();
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.gguf").toStdString();
    sft::exportGguf(path, model, sft::readBpeVocabulary(tokenizerDir()), {});
    const GgufFile f = readGguf(path);
    QCOMPARE(f.tensors.size(), size_t(2 + 2 * 12 + 3));
    // llama.cpp's create_tensor shapes for gpt2 (n_embd 8, n_ff 32, n_vocab 50257, n_ctx 16).
    const std::map<std::string, std::vector<uint64_t>> dims = {
        {"token_embd.weight", {8, 50257}}, {"position_embd.weight", {8, 16}},
        {"blk.1.attn_norm.weight", {8}},   {"blk.1.attn_norm.bias", {8}},
        {"blk.1.attn_qkv.weight", {8, 24}}, {"blk.1.attn_qkv.bias", {24}},
        {"blk.1.attn_output.weight", {8, 8}}, {"blk.1.attn_output.bias", {8}},
        {"blk.1.ffn_norm.weight", {8}},    {"blk.1.ffn_norm.bias", {8}},
        {"blk.1.ffn_up.weight", {8, 32}},  {"blk.1.ffn_up.bias", {32}},
        {"blk.1.ffn_down.weight", {32, 8}}, {"blk.1.ffn_down.bias", {8}},
        {"output_norm.weight", {8}},       {"output_norm.bias", {8}},
        {"output.weight", {8, 50257}}};
    for (const auto& [name, expected] : dims) {
        QVERIFY2(f.tensors.count(name), name.c_str());
        QVERIFY2(f.tensors.at(name).dims == expected, name.c_str());
        QCOMPARE(f.tensors.at(name).type, 0u);
        QCOMPARE(f.tensors.at(name).offset % 32, uint64_t(0));
    }
    QCOMPARE(f.dataStart % 32, uint64_t(0));
    auto& block = model->h->at<sft::BlockImpl>(1);
    QVERIFY(torch::equal(tensorData(f, "token_embd.weight"), model->wte->weight));
    QVERIFY(torch::equal(tensorData(f, "blk.1.attn_qkv.weight"), block.attn->c_attn->weight));
    QVERIFY(torch::equal(tensorData(f, "blk.1.ffn_down.weight"), block.mlp->c_proj->weight));
    QVERIFY(torch::equal(tensorData(f, "blk.1.ffn_norm.bias"), block.ln_2->bias));
    QVERIFY(torch::equal(tensorData(f, "output.weight"), model->lm_head->weight));
    QVERIFY(!torch::equal(model->lm_head->weight, model->wte->weight));
    // The last tensor's data ends the file, padded to the alignment.
    const GgufTensorInfo& last = f.tensors.at(f.tensorOrder.back());
    QCOMPARE(f.bytes.size(), f.dataStart + last.offset + (8 * 50257 * 4 + 31) / 32 * 32);
}

void TestGgufExport::f16KeepsNormsAndBiasesF32()
{
    Gpt model = randomModel();
    QTemporaryDir dir;
    const std::string path = dir.filePath("m.gguf").toStdString();
    sft::exportGguf(path, model, sft::readBpeVocabulary(tokenizerDir()), {sft::GgmlType::F16, ""});
    const GgufFile f = readGguf(path);
    QCOMPARE(f.metadata["general.file_type"], nlohmann::json(1));
    QVERIFY(!f.metadata.contains("general.name"));
    for (const auto& [name, info] : f.tensors) {
        const bool matrix = info.dims.size() == 2;
        QVERIFY2(info.type == (matrix ? 1u : 0u), name.c_str());
    }
    QVERIFY(torch::equal(tensorData(f, "blk.0.ffn_up.weight"),
                         model->h->at<sft::BlockImpl>(0).mlp->c_fc->weight.to(torch::kHalf)));
    QVERIFY(torch::equal(tensorData(f, "blk.0.ffn_up.bias"), model->h->at<sft::BlockImpl>(0).mlp->c_fc->bias));
}

void TestGgufExport::withoutTokenizerFilesSaysWhatWasLookedFor()
{
    QTemporaryDir empty;
    try {
        sft::readBpeVocabulary(empty.path().toStdString());
        QFAIL("expected FormatError");
    } catch (const sft::FormatError& e) {
        const QString message = e.what();
        QVERIFY2(message.contains("no GPT-2 tokenizer files in " + empty.path()), e.what());
        QVERIFY2(message.contains("vocab.json + merges.txt, or encoder.json + vocab.bpe"), e.what());
    }
}

void TestGgufExport::tokenizerOfAnotherSizeIsRefused()
{
    GptConfig config = smallConfig();
    config.vocabSize = 100;
    Gpt model(config);
    QTemporaryDir dir;
    try {
        sft::exportGguf(dir.filePath("m.gguf").toStdString(), model, sft::readBpeVocabulary(tokenizerDir()), {});
        QFAIL("expected ConfigError");
    } catch (const sft::ConfigError& e) {
        QVERIFY2(QString(e.what()).contains("vocabulary of 100 tokens but its tokenizer has 50257"), e.what());
    }
    QVERIFY(!QFile::exists(dir.filePath("m.gguf")));
}

void TestGgufExport::modelfileServesTheTrainedPrompt()
{
    const std::string before = "Below is an instruction.\n\n### Instruction:\n";
    const std::string modelfile = sft::ollamaModelfile("tuned.gguf", before, "\n\n### Response:\n", 1024);
    QCOMPARE(modelfile, std::string("FROM ./tuned.gguf\n"
                                    "TEMPLATE \"\"\"Below is an instruction.\n\n### Instruction:\n{{ .Prompt }}"
                                    "\n\n### Response:\n\"\"\"\n"
                                    "PARAMETER stop \"<|endoftext|>\"\n"
                                    "PARAMETER num_ctx 1024\n"));
    // Go template actions in the template's own text are written as literals.
    QVERIFY(sft::ollamaModelfile("m.gguf", "{{x}}: ", "", 8).find("TEMPLATE \"\"\"{{ \"{{\" }}x}}: {{ .Prompt }}") !=
            std::string::npos);
    QVERIFY_EXCEPTION_THROWN(sft::ollamaModelfile("m.gguf", "\"\"\"", "", 8), sft::ConfigError);
}

QTEST_APPLESS_MAIN(TestGgufExport)
#include "test_gguf_export.moc"
