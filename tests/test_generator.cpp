// Batched KV-cache generation against the chapter's loop (generateWithoutCache), which is the
// reference: greedy output must match it token for token, also across end-of-text stops, mixed
// prompt lengths and the context window.

#include "core/generate/generator.h"
#include "core/io/model_folder.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace sft;
using Tokens = std::vector<int64_t>;

namespace {

Gpt tinyModel(int64_t contextLength = 256, double dropRate = 0.0)
{
    GptConfig config = GptConfig::preset("tiny");
    config.contextLength = contextLength;
    config.dropRate = dropRate;
    Gpt model(config);
    model->initWeights(42);
    return model;
}

// Deterministic, varied token ids; lengths deliberately unsorted so batches get reordered.
std::vector<Tokens> makePrompts(const std::vector<int64_t>& lengths)
{
    std::vector<Tokens> prompts;
    for (size_t p = 0; p < lengths.size(); ++p) {
        Tokens prompt;
        for (int64_t j = 0; j < lengths[p]; ++j)
            prompt.push_back(int64_t((p * 7919 + size_t(j) * 104729 + 13) % 50257));
        prompts.push_back(prompt);
    }
    return prompts;
}

GenerationOptions greedy(int64_t maxNewTokens, int64_t eosId = -1)
{
    GenerationOptions options;
    options.maxNewTokens = maxNewTokens;
    options.eosId = eosId;
    return options;
}

std::vector<Tokens> reference(Gpt& model, const std::vector<Tokens>& prompts, const GenerationOptions& options)
{
    std::vector<Tokens> results;
    for (const Tokens& prompt : prompts)
        results.push_back(generateWithoutCache(model, prompt, options));
    return results;
}

void compareWithReference(Gpt& model, const std::vector<Tokens>& prompts, GenerationOptions options,
                          const std::vector<int64_t>& batchSizes)
{
    const std::vector<Tokens> expected = reference(model, prompts, options);
    for (int64_t batchSize : batchSizes) {
        options.batchSize = batchSize;
        const std::vector<Tokens> got = generate(model, prompts, options);
        QCOMPARE(got.size(), prompts.size());
        for (size_t i = 0; i < prompts.size(); ++i) {
            if (got[i] != expected[i])
                QFAIL(qPrintable(QStringLiteral("batch size %1, prompt %2 differs from the chapter's loop")
                                     .arg(batchSize)
                                     .arg(i)));
        }
    }
}

} // namespace

class TestGenerator : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void greedyMatchesChapterLoopForAnyBatchSize()
    {
        Gpt model = tinyModel();
        const auto prompts = makePrompts({7, 1, 30, 12, 3, 20, 5, 2, 9});
        const std::vector<Tokens> expected = reference(model, prompts, greedy(20));
        for (const Tokens& e : expected)
            QCOMPARE(int64_t(e.size()), int64_t(20));
        compareWithReference(model, prompts, greedy(20), {1, 3, 8});
    }

    void endOfTextStopsEachRowLikeChapter()
    {
        Gpt model = tinyModel();
        const auto prompts = makePrompts({7, 1, 30, 12, 3, 20, 5, 2, 9});
        // An end-of-text id taken from the middle of one greedy stream, so that row stops early.
        const Tokens stream = generateWithoutCache(model, prompts[2], greedy(24));
        const int64_t eosId = stream[10];
        const std::vector<Tokens> expected = reference(model, prompts, greedy(24, eosId));
        const auto stopped = std::count_if(expected.begin(), expected.end(),
                                           [](const Tokens& t) { return t.size() < 24; });
        QVERIFY(stopped >= 1);
        for (const Tokens& e : expected)
            QVERIFY(std::find(e.begin(), e.end(), eosId) == e.end());
        compareWithReference(model, prompts, greedy(24, eosId), {1, 3, 8});
    }

    void pastTheContextWindowMatchesChapterLoop()
    {
        Gpt model = tinyModel(16);
        // 20 is cropped to its last 16 tokens; every row outgrows the window while decoding.
        const auto prompts = makePrompts({20, 16, 10, 3, 15});
        compareWithReference(model, prompts, greedy(30), {1, 3, 8});
        const Tokens stream = generateWithoutCache(model, prompts[3], greedy(30));
        compareWithReference(model, prompts, greedy(30, stream[20]), {1, 5});
    }

    void samplingIsReproducibleFromTheSeed()
    {
        Gpt model = tinyModel();
        const auto prompts = makePrompts({4, 9, 2});
        GenerationOptions options = greedy(20);
        options.temperature = 1.5;
        options.topK = 50;
        options.seed = 7;
        const auto first = generate(model, prompts, options);
        QCOMPARE(generate(model, prompts, options), first);
        QCOMPARE(generateWithoutCache(model, prompts[0], options), generateWithoutCache(model, prompts[0], options));
        options.seed = 8;
        QVERIFY(generate(model, prompts, options) != first);
    }

    void sampledTokensAreAmongTheTopK()
    {
        Gpt model = tinyModel();
        const Tokens prompt = makePrompts({6}).front();
        GenerationOptions options = greedy(15);
        options.temperature = 2.0;
        options.topK = 3;
        for (const Tokens& generated : {generate(model, {prompt}, options).front(),
                                        generateWithoutCache(model, prompt, options)}) {
            QCOMPARE(int64_t(generated.size()), int64_t(15));
            Tokens sequence = prompt;
            torch::NoGradGuard noGrad;
            for (int64_t token : generated) {
                const torch::Tensor logits = model->forward(torch::tensor(sequence).view({1, -1}))[0][-1];
                const int64_t higher = (logits > logits[token]).sum().item<int64_t>();
                QVERIFY2(higher < 3, "a token outside the top 3 was sampled");
                sequence.push_back(token);
            }
        }
    }

    void topKOfOneIsGreedy()
    {
        Gpt model = tinyModel();
        const auto prompts = makePrompts({5, 11, 1});
        GenerationOptions options = greedy(20);
        options.temperature = 1.0;
        options.topK = 1;
        QCOMPARE(generate(model, prompts, options), reference(model, prompts, greedy(20)));
        QCOMPARE(generateWithoutCache(model, prompts[1], options), generateWithoutCache(model, prompts[1], greedy(20)));
    }

    void runsInEvalModeAndRestoresTraining()
    {
        // With dropout 0.5 a training-mode forward would be random; eval mode makes it repeatable.
        Gpt model = tinyModel(256, 0.5);
        const auto prompts = makePrompts({4, 8});
        model->eval();
        const std::vector<Tokens> expected = reference(model, prompts, greedy(12));
        model->train();
        QCOMPARE(generate(model, prompts, greedy(12)), expected);
        QVERIFY(model->is_training());
        QCOMPARE(generateWithoutCache(model, prompts[0], greedy(12)), expected[0]);
        QVERIFY(model->is_training());
        model->eval();
        generate(model, prompts, greedy(2));
        QVERIFY(!model->is_training());
    }

    void progressIsMonotoneAndReachesTotal()
    {
        Gpt model = tinyModel();
        const auto prompts = makePrompts({7, 1, 30, 12, 3});
        const Tokens stream = generateWithoutCache(model, prompts[2], greedy(16));
        GenerationOptions options = greedy(16, stream[5]);
        options.batchSize = 2;
        std::vector<int64_t> done;
        generate(model, prompts, options, [&](int64_t d, int64_t total, const std::string&) {
            QCOMPARE(total, int64_t(5 * 16));
            done.push_back(d);
        });
        QVERIFY(!done.empty());
        QVERIFY(std::is_sorted(done.begin(), done.end()));
        QCOMPARE(done.back(), int64_t(5 * 16));
    }

    void streamsEveryKeptToken()
    {
        Gpt model = tinyModel();
        const auto prompts = makePrompts({7, 1, 12});
        const Tokens stream = generateWithoutCache(model, prompts[0], greedy(16));
        GenerationOptions options = greedy(16, stream[8]);
        std::vector<Tokens> streamed(prompts.size());
        options.onToken = [&](size_t prompt, int64_t token) { streamed[prompt].push_back(token); };
        QCOMPARE(generate(model, prompts, options), streamed);
    }

    void cancelStopsBetweenSteps()
    {
        Gpt model = tinyModel();
        JobControl job;
        job.requestCancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, generate(model, makePrompts({3}), greedy(5), {}, &job));
    }

    void zeroNewTokensGivesEmptyResults()
    {
        Gpt model = tinyModel();
        QCOMPARE(generate(model, makePrompts({3, 5}), greedy(0)), std::vector<Tokens>(2));
        QCOMPARE(generateWithoutCache(model, makePrompts({3}).front(), greedy(0)), Tokens());
    }

    // A model whose file another program shortens while it answers (mapping_guard.h): the answer
    // is refused with the file named, and the program goes on.
    void weightsFileShortenedMidAnswerIsAnError()
    {
#ifdef __SANITIZE_ADDRESS__
        QSKIP("AddressSanitizer handles SIGBUS itself");
#endif
        Gpt model = tinyModel();
        QTemporaryDir dir;
        saveModelFolder(dir.path().toStdString(), model, nullptr);
        const LoadedModel loaded = loadModelFolder(dir.path().toStdString(), Adapters::Merge, WeightUse::Inference);
        QVERIFY(QFile::resize(dir.filePath("model.safetensors"), 0));
        Gpt inUse = loaded.model;
        QVERIFY_THROWS_EXCEPTION(WeightsError, generate(inUse, makePrompts({3}), greedy(5)));
    }

    void rejectsBadInput()
    {
        Gpt model = tinyModel();
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(model, {{1, 2}, {}}, greedy(3)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, generateWithoutCache(model, {}, greedy(3)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(model, {{1, 50257}}, greedy(3)));
        QVERIFY_THROWS_EXCEPTION(ConfigError, generateWithoutCache(model, {-1, 2}, greedy(3)));
        GenerationOptions options = greedy(3);
        options.batchSize = 0;
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(model, {{1}}, options));
        options = greedy(3);
        options.temperature = -1;
        QVERIFY_THROWS_EXCEPTION(ConfigError, generate(model, {{1}}, options));
        options = greedy(-1);
        QVERIFY_THROWS_EXCEPTION(ConfigError, generateWithoutCache(model, {1}, options));
    }
};

QTEST_GUILESS_MAIN(TestGenerator)
#include "test_generator.moc"
