// GptConfig: the four OpenAI sizes and their parameter counts from the chapter's table, the
// three config dialects (Hugging Face config.json, the book's GPT_CONFIG, OpenAI's
// hparams.json), and refusal of configs that are wrong or absurd.

#include "core/model/gpt.h"
#include "core/model/gpt_config.h"
#include "core/util/error.h"

#include <QtTest>

#include <torch/torch.h>

using sft::GptConfig;
using nlohmann::json;

class TestGptConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presetsHaveTheOpenAiShapes_data();
    void presetsHaveTheOpenAiShapes();
    void tinyPresetIsSmall();
    void unknownPresetIsRefused();
    void tiedCountIsGpt2sOwn();
    void smallCountEqualsTheModelsNumel();
    void readsHuggingFaceConfig();
    void huggingFaceTiesByDefault();
    void readsBookConfig();
    void readsOpenAiHparams();
    void toHfJsonIsAGpt2Config();
    void roundTripsThroughHfJson();
    void refusesBadConfigs_data();
    void refusesBadConfigs();
    void absurdSizeSaysHowBig();
};

void TestGptConfig::presetsHaveTheOpenAiShapes_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("embDim");
    QTest::addColumn<qint64>("layers");
    QTest::addColumn<qint64>("heads");
    QTest::addColumn<qint64>("untiedParameters"); // the chapter's table, out_head separate
    QTest::newRow("small") << "gpt2-small" << qint64(768) << qint64(12) << qint64(12) << qint64(163'037'184);
    QTest::newRow("medium") << "gpt2-medium" << qint64(1024) << qint64(24) << qint64(16) << qint64(406'286'336);
    QTest::newRow("large") << "gpt2-large" << qint64(1280) << qint64(36) << qint64(20) << qint64(838'359'040);
    QTest::newRow("xl") << "gpt2-xl" << qint64(1600) << qint64(48) << qint64(25) << qint64(1'638'022'400);
}

void TestGptConfig::presetsHaveTheOpenAiShapes()
{
    QFETCH(QString, name);
    QFETCH(qint64, embDim);
    QFETCH(qint64, layers);
    QFETCH(qint64, heads);
    QFETCH(qint64, untiedParameters);
    const GptConfig c = GptConfig::preset(name.toStdString());
    QCOMPARE(c.embDim, embDim);
    QCOMPARE(c.nLayers, layers);
    QCOMPARE(c.nHeads, heads);
    QCOMPARE(c.vocabSize, 50257);
    QCOMPARE(c.contextLength, 1024);
    QCOMPARE(c.dropRate, 0.0);
    QVERIFY(c.qkvBias);
    QVERIFY(!c.tieEmbeddings);
    QCOMPARE(c.parameterCount(), untiedParameters);
}

void TestGptConfig::tinyPresetIsSmall()
{
    const GptConfig c = GptConfig::preset("tiny");
    QCOMPARE(c.vocabSize, 50257);
    QCOMPARE(c.contextLength, 256);
    QCOMPARE(c.embDim, 32);
    QCOMPARE(c.nLayers, 2);
    QCOMPARE(c.nHeads, 2);
}

void TestGptConfig::unknownPresetIsRefused()
{
    try {
        GptConfig::preset("gpt2-huge");
        QFAIL("expected ConfigError");
    } catch (const sft::ConfigError& e) {
        QVERIFY(std::string(e.what()).find("gpt2-huge") != std::string::npos);
        QVERIFY(std::string(e.what()).find("gpt2-medium") != std::string::npos);
    }
}

void TestGptConfig::tiedCountIsGpt2sOwn()
{
    // The "tied (GPT-2 count)" column of the chapter's table.
    const std::pair<const char*, int64_t> sizes[] = {{"gpt2-small", 124'439'808},
                                                     {"gpt2-medium", 354'823'168},
                                                     {"gpt2-large", 774'030'080},
                                                     {"gpt2-xl", 1'557'611'200}};
    for (const auto& [name, tied] : sizes) {
        GptConfig c = GptConfig::preset(name);
        c.tieEmbeddings = true;
        QCOMPARE(c.parameterCount(), tied);
    }
    // Chapter 4's figure for qkv_bias = False: 27,648 fewer.
    GptConfig noBias = GptConfig::preset("gpt2-small");
    noBias.qkvBias = false;
    QCOMPARE(noBias.parameterCount(), int64_t(163'009'536));
}

void TestGptConfig::smallCountEqualsTheModelsNumel()
{
    sft::Gpt model(GptConfig::preset("gpt2-small"));
    int64_t numel = 0;
    for (const auto& p : model->parameters())
        numel += p.numel();
    QCOMPARE(numel, int64_t(163'037'184));
    QCOMPARE(model->config().parameterCount(), numel);
}

void TestGptConfig::readsHuggingFaceConfig()
{
    // openai-community/gpt2-medium's config.json, abridged.
    const json j = json::parse(R"({
        "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
        "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2", "n_ctx": 1024, "n_embd": 1024, "n_head": 16, "n_layer": 24,
        "n_positions": 1024, "n_special": 0, "resid_pdrop": 0.1, "vocab_size": 50257})");
    const GptConfig c = GptConfig::fromHfJson(j);
    QCOMPARE(c.embDim, 1024);
    QCOMPARE(c.nLayers, 24);
    QCOMPARE(c.nHeads, 16);
    QCOMPARE(c.contextLength, 1024);
    QCOMPARE(c.vocabSize, 50257);
    QCOMPARE(c.layerNormEps, 1e-5);
    QCOMPARE(c.dropRate, 0.0); // HF's pretraining dropout is not the chapter's
    QVERIFY(c.qkvBias);
}

void TestGptConfig::huggingFaceTiesByDefault()
{
    json j = {{"n_embd", 64}, {"n_layer", 1}, {"n_head", 4}, {"n_positions", 32}, {"vocab_size", 100},
              {"layer_norm_epsilon", 1e-6}};
    GptConfig c = GptConfig::fromHfJson(j);
    QVERIFY(c.tieEmbeddings);
    QCOMPARE(c.layerNormEps, 1e-6);
    j["tie_word_embeddings"] = false;
    QVERIFY(!GptConfig::fromHfJson(j).tieEmbeddings);
    j.erase("n_positions");
    j["n_ctx"] = 48;
    QCOMPARE(GptConfig::fromHfJson(j).contextLength, 48);
}

void TestGptConfig::readsBookConfig()
{
    // The chapter's --test_mode config (ch07 gpt_instruction_finetuning.py).
    const json j = {{"vocab_size", 50257}, {"context_length", 120}, {"drop_rate", 0.0},
                    {"qkv_bias", false},  {"emb_dim", 12},          {"n_layers", 1},
                    {"n_heads", 2}};
    const GptConfig c = GptConfig::fromHfJson(j);
    QCOMPARE(c.contextLength, 120);
    QCOMPARE(c.embDim, 12);
    QCOMPARE(c.nLayers, 1);
    QCOMPARE(c.nHeads, 2);
    QVERIFY(!c.qkvBias);
    QVERIFY(!c.tieEmbeddings); // the book's model has its own out_head
    GptConfig ch4 = GptConfig::fromHfJson({{"vocab_size", 50257}, {"context_length", 1024}, {"drop_rate", 0.1},
                                           {"qkv_bias", false}, {"emb_dim", 768}, {"n_layers", 12},
                                           {"n_heads", 12}});
    QCOMPARE(ch4.dropRate, 0.1);
    QCOMPARE(ch4.parameterCount(), int64_t(163'009'536)); // chapter 4's printed total
}

void TestGptConfig::readsOpenAiHparams()
{
    // models/124M/hparams.json from gpt_download.py.
    const json j = json::parse(R"({"n_vocab": 50257, "n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_layer": 12})");
    const GptConfig c = GptConfig::fromHfJson(j);
    QCOMPARE(c.vocabSize, 50257);
    QCOMPARE(c.contextLength, 1024);
    QCOMPARE(c.embDim, 768);
    QVERIFY(c.tieEmbeddings);
    QCOMPARE(c.parameterCount(), int64_t(124'439'808));
}

void TestGptConfig::toHfJsonIsAGpt2Config()
{
    const json j = GptConfig::preset("gpt2-medium").toHfJson();
    QCOMPARE(j.at("model_type"), json("gpt2"));
    QCOMPARE(j.at("architectures"), json::array({"GPT2LMHeadModel"}));
    QCOMPARE(j.at("activation_function"), json("gelu_new"));
    QVERIFY(j.at("n_inner").is_null());
    QCOMPARE(j.at("tie_word_embeddings"), json(false));
    QCOMPARE(j.at("bos_token_id"), json(50256));
    QCOMPARE(j.at("eos_token_id"), json(50256));
    QCOMPARE(j.at("n_embd"), json(1024));
    QCOMPARE(j.at("n_layer"), json(24));
    QCOMPARE(j.at("n_head"), json(16));
    QCOMPARE(j.at("n_positions"), json(1024));
    QCOMPARE(j.at("vocab_size"), json(50257));
    QCOMPARE(j.at("layer_norm_epsilon"), json(1e-5));
}

void TestGptConfig::roundTripsThroughHfJson()
{
    GptConfig c;
    c.vocabSize = 300;
    c.contextLength = 40;
    c.embDim = 24;
    c.nLayers = 3;
    c.nHeads = 3;
    c.dropRate = 0.1;
    c.qkvBias = false;
    c.layerNormEps = 1e-6;
    const GptConfig back = GptConfig::fromHfJson(c.toHfJson());
    QCOMPARE(back.vocabSize, 300);
    QCOMPARE(back.contextLength, 40);
    QCOMPARE(back.embDim, 24);
    QCOMPARE(back.nLayers, 3);
    QCOMPARE(back.nHeads, 3);
    QCOMPARE(back.dropRate, 0.1);
    QVERIFY(!back.qkvBias);
    QCOMPARE(back.layerNormEps, 1e-6);
    QVERIFY(!back.tieEmbeddings);
}

void TestGptConfig::refusesBadConfigs_data()
{
    QTest::addColumn<QString>("config");
    QTest::addColumn<QString>("expected"); // part of the message
    const QString base = R"("n_positions": 64, "vocab_size": 100, "n_layer": 2)";
    QTest::newRow("not an object") << "[1, 2]" << "JSON object";
    QTest::newRow("missing n_embd") << "{" + base + R"(, "n_head": 2})" << "n_embd";
    QTest::newRow("string size") << "{" + base + R"(, "n_head": 2, "n_embd": "64"})" << "integer";
    QTest::newRow("not divisible") << "{" + base + R"(, "n_head": 5, "n_embd": 64})" << "divisible";
    QTest::newRow("zero heads") << "{" + base + R"(, "n_head": 0, "n_embd": 64})" << "head count";
    QTest::newRow("negative size") << "{" + base + R"(, "n_head": 2, "n_embd": -64})" << "embedding size";
    QTest::newRow("other model") << "{" + base + R"(, "n_head": 2, "n_embd": 64, "model_type": "llama"})" << "llama";
    QTest::newRow("exact gelu") << "{" + base + R"(, "n_head": 2, "n_embd": 64, "activation_function": "relu"})"
                                << "activation_function";
    QTest::newRow("wide mlp") << "{" + base + R"(, "n_head": 2, "n_embd": 64, "n_inner": 512})" << "n_inner";
    QTest::newRow("bad eps") << "{" + base + R"(, "n_head": 2, "n_embd": 64, "layer_norm_epsilon": 0})"
                             << "epsilon";
}

void TestGptConfig::refusesBadConfigs()
{
    QFETCH(QString, config);
    QFETCH(QString, expected);
    try {
        GptConfig::fromHfJson(json::parse(config.toStdString()));
        QFAIL("expected WeightsError");
    } catch (const sft::WeightsError& e) {
        QVERIFY2(QString(e.what()).contains(expected), e.what());
    }
}

void TestGptConfig::absurdSizeSaysHowBig()
{
    // 100 layers of width 8192: ~80 billion parameters, refused before anything is allocated.
    const json j = {{"n_embd", 8192}, {"n_layer", 100}, {"n_head", 64}, {"n_positions", 1024}, {"vocab_size", 50257}};
    try {
        GptConfig::fromHfJson(j);
        QFAIL("expected WeightsError");
    } catch (const sft::WeightsError& e) {
        QVERIFY2(QString(e.what()).contains("billion parameters"), e.what());
        QVERIFY2(QString(e.what()).contains("GB"), e.what());
    }
    GptConfig huge = GptConfig::preset("tiny");
    huge.vocabSize = int64_t(1) << 40;
    QVERIFY_THROWS_EXCEPTION(sft::ConfigError, huge.validate());
    QVERIFY_THROWS_EXCEPTION(sft::ConfigError, sft::Gpt{huge});
}

QTEST_APPLESS_MAIN(TestGptConfig)
#include "test_gpt_config.moc"
