// Batching as the chapter's custom_collate_fn (its printed toy batch), truncation, prompt
// masking (exercise 7.2), tokenized entries against the oracle, and the data loader's counts
// and shuffling against PyTorch's DataLoader.

#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <torch/torch.h>

#include <QtTest>

#include <algorithm>
#include <functional>
#include <numeric>
#include <set>

using namespace sft;
using Rows = std::vector<std::vector<int64_t>>;

namespace {

constexpr int64_t P = 50256; // pad / end of text
constexpr int64_t X = -100;  // ignored target

Rows rows(const torch::Tensor& t)
{
    Rows out(size_t(t.size(0)));
    for (int64_t r = 0; r < t.size(0); ++r)
        for (int64_t c = 0; c < t.size(1); ++c)
            out[size_t(r)].push_back(t[r][c].item<int64_t>());
    return out;
}

Batch collateIds(const std::vector<Example>& examples, const CollateOptions& options = {})
{
    std::vector<const Example*> items;
    for (const Example& e : examples)
        items.push_back(&e);
    return collate(items, options);
}

// Examples whose only token is their own index, so a batch shows which examples it holds.
std::vector<Example> numbered(int64_t n)
{
    std::vector<Example> examples(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        examples[size_t(i)].ids = {i};
    return examples;
}

std::vector<int64_t> firstColumn(const Batch& b)
{
    std::vector<int64_t> out;
    for (const auto& row : rows(b.inputs))
        out.push_back(row[0]);
    return out;
}

std::vector<int64_t> epochOrder(DataLoader& loader)
{
    loader.startEpoch();
    std::vector<int64_t> order;
    for (int64_t i = 0; i < loader.numBatches(); ++i)
        for (int64_t id : firstColumn(loader.batch(i)))
            order.push_back(id);
    return order;
}

} // namespace

namespace QTest {
template <> char* toString(const std::vector<int64_t>& v)
{
    QStringList items;
    for (int64_t x : v)
        items << QString::number(x);
    return qstrdup(("[" + items.join(", ") + "]").toUtf8().constData());
}

template <> char* toString(const Rows& rows)
{
    QStringList items;
    for (const auto& row : rows) {
        char* text = toString(row);
        items << text;
        delete[] text;
    }
    return qstrdup(("[" + items.join(", ") + "]").toUtf8().constData());
}
} // namespace QTest

class TestBatcher : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chapterToyBatch()
    {
        const Batch b = collateIds({{{0, 1, 2, 3, 4}}, {{5, 6}}, {{7, 8, 9}}});
        QCOMPARE(b.inputs.scalar_type(), torch::kInt64);
        QCOMPARE(rows(b.inputs), (Rows{{0, 1, 2, 3, 4}, {5, 6, P, P, P}, {7, 8, 9, P, P}}));
        QCOMPARE(rows(b.targets), (Rows{{1, 2, 3, 4, P}, {6, P, X, X, X}, {8, 9, P, X, X}}));
    }

    void padIdInsideTheTextAsTheChapter()
    {
        // The chapter keeps the first target equal to 50256 and masks the later ones, wherever
        // they come from: here the text's own 50256 is kept and the appended one is masked.
        const Batch b = collateIds({{{1, P, 2}}, {{3}}});
        QCOMPARE(rows(b.inputs), (Rows{{1, P, 2}, {3, P, P}}));
        QCOMPARE(rows(b.targets), (Rows{{P, 2, X}, {P, X, X}}));
    }

    void allowedMaxLengthTruncates()
    {
        CollateOptions options;
        options.allowedMaxLength = 3;
        const Batch b = collateIds({{{0, 1, 2, 3, 4}}, {{5, 6}}, {{7, 8, 9}}}, options);
        QCOMPARE(rows(b.inputs), (Rows{{0, 1, 2}, {5, 6, P}, {7, 8, 9}}));
        QCOMPARE(rows(b.targets), (Rows{{1, 2, 3}, {6, P, X}, {8, 9, P}}));
        options.allowedMaxLength = 1024;
        QCOMPARE(collateIds({{{0, 1, 2, 3, 4}}}, options).inputs.size(1), int64_t(5));
    }

    void maskPromptKeepsTheFirstResponseTarget()
    {
        // Prompt 10 11 12, response 13 14: targets predicting 11 and 12 are masked, the one
        // predicting 13 (the first response token) is kept.
        CollateOptions options;
        options.maskPrompt = true;
        const Batch b = collateIds({{{10, 11, 12, 13, 14}, 3}, {{20, 21}, 1}}, options);
        QCOMPARE(rows(b.inputs), (Rows{{10, 11, 12, 13, 14}, {20, 21, P, P, P}}));
        QCOMPARE(rows(b.targets), (Rows{{X, X, 13, 14, P}, {21, P, X, X, X}}));
    }

    void tokenizedEntriesMatchTheOracle()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const Tokenizer tokenizer = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        const Dataset data = loadDataset(test::sharedPath("data/instruction-data.json"));
        const auto oracle = nlohmann::json::parse(
            readFile(test::sharedPath("data/tokenizer-oracle/instruction-data.alpaca-tokens.json")));
        const std::vector<Example> examples = tokenizeEntries(data.entries, PromptTemplate::alpaca(), tokenizer);
        QCOMPARE(examples.size(), size_t(1100));
        // "\n\n### Response:\n" as the chapter's facts give it: 198 198 21017 18261 25 198.
        const std::vector<int64_t> responseHeader{198, 198, 21017, 18261, 25, 198};
        for (size_t i = 0; i < examples.size(); ++i) {
            const Example& e = examples[i];
            QCOMPARE(e.ids, oracle[i]["ids"].get<std::vector<int64_t>>());
            const auto header = e.ids.begin() + e.promptLength;
            QVERIFY(std::equal(responseHeader.begin(), responseHeader.end(), header));
        }
        QCOMPARE(examples[1045].promptLength, int64_t(41)); // val[0], chapter 7
    }

    void promptLengthWhenBpeMergesAcrossTheBoundary()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const Tokenizer tokenizer = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        // The input's final "\n" and the response's "\n\n" become "\n\n" (628) + "\n" (198):
        // the prompt alone ends in "." (13) "\n" (198), so only the tokens up to "." are prompt.
        Entry e;
        e.instruction = "Rewrite the sentence.";
        e.input = "The car is fast.\n";
        e.output = "Done.";
        const PromptTemplate alpaca = PromptTemplate::alpaca();
        const Example x = tokenizeEntries({e}, alpaca, tokenizer).front();
        const std::vector<int> prompt = tokenizer.encode(alpaca.prompt(e));
        QCOMPARE(prompt.back(), 198);
        QCOMPARE(x.promptLength, int64_t(prompt.size()) - 1);
        QCOMPARE(x.ids[size_t(x.promptLength) - 1], int64_t(13));
        QCOMPARE(x.ids[size_t(x.promptLength)], int64_t(628));
    }

    void dataLoaderCounts()
    {
        QCOMPARE(DataLoader(numbered(935), 8, true, true, 123, {}).numBatches(), int64_t(116));
        QCOMPARE(DataLoader(numbered(55), 8, false, false, 123, {}).numBatches(), int64_t(7));
        QCOMPARE(DataLoader(numbered(110), 8, false, false, 123, {}).numBatches(), int64_t(14));
        DataLoader val(numbered(55), 8, false, false, 123, {});
        QCOMPARE(val.batch(6).inputs.size(0), int64_t(7));
        std::vector<int64_t> identity(55);
        std::iota(identity.begin(), identity.end(), 0);
        QCOMPARE(epochOrder(val), identity);
        QVERIFY_THROWS_EXCEPTION(std::out_of_range, val.batch(7));
    }

    void shuffleIsPyTorchsDataLoaderOrder()
    {
        // torch.manual_seed(123); DataLoader(range(935), batch_size=8, shuffle=True,
        // drop_last=True): the first batch of the first three epochs (PyTorch 1.13).
        DataLoader train(numbered(935), 8, true, true, 123, {});
        const std::vector<std::vector<int64_t>> expected{{8, 709, 639, 313, 769, 407, 12, 173},
                                                         {545, 866, 900, 303, 602, 216, 794, 345},
                                                         {616, 421, 931, 156, 238, 510, 544, 900}};
        for (const auto& first : expected) {
            train.startEpoch();
            QCOMPARE(firstColumn(train.batch(0)), first);
        }
    }

    // An evaluation iterates the training loader afresh, then the unshuffled validation loader,
    // whose iterator also draws from the global generator. Expected: PyTorch 1.13,
    // torch.manual_seed(123); train as above, val = DataLoader(range(55), batch_size=8); first
    // batch of iter(train), of iter(train), `for v in val: break`, then of iter(train).
    void evaluationsDrawFromTheSharedGeneratorAsPyTorch()
    {
        DataLoader train(numbered(935), 8, true, true, 123, {}), val(numbered(55), 8, false, false, 5, {});
        val.shareGenerator(train);
        train.startEpoch();
        QCOMPARE(firstColumn(train.batch(0)), std::vector<int64_t>({8, 709, 639, 313, 769, 407, 12, 173}));
        DataLoader trainSample = train;
        trainSample.startEpoch();
        QCOMPARE(firstColumn(trainSample.batch(0)), std::vector<int64_t>({545, 866, 900, 303, 602, 216, 794, 345}));
        val.startEpoch();
        QCOMPARE(firstColumn(val.batch(0)), std::vector<int64_t>({0, 1, 2, 3, 4, 5, 6, 7}));
        train.startEpoch();
        QCOMPARE(firstColumn(train.batch(0)), std::vector<int64_t>({782, 213, 848, 455, 273, 634, 64, 330}));
    }

    void shuffleIsSeededAndComplete()
    {
        DataLoader a(numbered(935), 8, true, false, 7, {}), b(numbered(935), 8, true, false, 7, {});
        DataLoader c(numbered(935), 8, true, false, 8, {});
        const std::vector<int64_t> orderA = epochOrder(a);
        QCOMPARE(epochOrder(b), orderA);
        QVERIFY(epochOrder(c) != orderA);
        QVERIFY(epochOrder(a) != orderA); // a new order each epoch
        const std::set<int64_t> seen(orderA.begin(), orderA.end());
        QCOMPARE(orderA.size(), size_t(935));
        QCOMPARE(seen.size(), size_t(935));
        QCOMPARE(*seen.rbegin(), int64_t(934));

        DataLoader dropLast(numbered(935), 8, true, true, 7, {});
        const std::vector<int64_t> dropped = epochOrder(dropLast);
        QCOMPARE(dropped.size(), size_t(928));
        QCOMPARE(std::set<int64_t>(dropped.begin(), dropped.end()).size(), size_t(928));
    }

    // Examples whose length is their index + 1, first token their index: a batch shows both.
    void groupingByLengthBatchesSimilarLengthsInASeededOrder()
    {
        std::vector<Example> examples = numbered(935);
        for (Example& e : examples)
            e.ids.resize(size_t(e.ids[0] % 300 + 1), 1);
        DataLoader grouped(examples, 8, true, true, 7, {}, true), again(examples, 8, true, true, 7, {}, true);
        const std::vector<int64_t> order = epochOrder(grouped);
        QCOMPARE(order.size(), size_t(928));
        QCOMPARE(std::set<int64_t>(order.begin(), order.end()).size(), size_t(928));
        QCOMPARE(epochOrder(again), order);
        QVERIFY(epochOrder(grouped) != order); // each epoch its own order
        // The 7 entries left out are random ones, not always the shortest.
        const std::set<int64_t> kept(order.begin(), order.end());
        int64_t longestDropped = 0;
        for (int64_t i = 0; i < 935; ++i)
            if (!kept.count(i))
                longestDropped = std::max(longestDropped, i % 300 + 1);
        QVERIFY2(longestDropped > 10, qPrintable(QString::number(longestDropped)));
        // Within a batch the lengths are close: sorted spans of 400 of 935 random entries.
        int64_t widest = 0;
        for (size_t b = 0; b < order.size(); b += 8) {
            const auto [low, high] = std::minmax_element(order.begin() + long(b), order.begin() + long(b + 8),
                                                         [](int64_t x, int64_t y) { return x % 300 < y % 300; });
            widest = std::max(widest, *high % 300 - *low % 300);
        }
        QVERIFY2(widest < 40, qPrintable(QString::number(widest)));
        // Long and short batches alternate at random instead of running longest first.
        std::vector<int64_t> firstLengths;
        for (size_t b = 0; b < order.size(); b += 8)
            firstLengths.push_back(order[b] % 300);
        QVERIFY(!std::is_sorted(firstLengths.begin(), firstLengths.end(), std::greater<>()));

        DataLoader plain(examples, 8, true, true, 7, {});
        plain.startEpoch();
        QVERIFY2(grouped.paddingFraction() < plain.paddingFraction() / 5,
                 qPrintable(QString("%1 vs %2").arg(grouped.paddingFraction()).arg(plain.paddingFraction())));
    }

    // A loader restored from a saved state goes on with the same grouped orders.
    void groupedOrderRestores()
    {
        std::vector<Example> examples = numbered(100);
        for (Example& e : examples)
            e.ids.resize(size_t(e.ids[0] % 17 + 1), 1);
        DataLoader a(examples, 4, true, true, 3, {}, true), b(examples, 4, true, true, 99, {}, true);
        epochOrder(a);
        b.restore(a.state());
        QCOMPARE(firstColumn(b.batch(5)), firstColumn(a.batch(5)));
        QCOMPARE(epochOrder(b), epochOrder(a));
    }

    void paddingFractionCountsPaddedInputs()
    {
        std::vector<Example> examples(3);
        examples[0].ids = {1, 2, 3, 4};
        examples[1].ids = {1, 2};
        examples[2].ids = {1};
        DataLoader loader(examples, 3, false, false, 1, {});
        QCOMPARE(loader.paddingFraction(), 5.0 / 12.0); // rows of 4: 0 + 2 + 3 padded
        CollateOptions truncated;
        truncated.allowedMaxLength = 2;
        QCOMPARE(DataLoader(examples, 3, false, false, 1, truncated).paddingFraction(), 1.0 / 6.0);
    }

    // The chapter's 935 training entries in batches of 8: the padding the chapter computes on,
    // and what grouping leaves of it.
    void chapterPaddingFraction()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const Tokenizer tokenizer = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        const Dataset data = loadDataset(test::sharedPath("data/instruction-data.json"));
        const Split split = splitDataset(data.entries);
        const std::vector<Example> train = tokenizeEntries(split.train, PromptTemplate::alpaca(), tokenizer);
        DataLoader chapter(train, 8, true, true, 123, {}), grouped(train, 8, true, true, 123, {}, true);
        double plain = 0, less = 0;
        for (int epoch = 0; epoch < 2; ++epoch) {
            chapter.startEpoch();
            grouped.startEpoch();
            plain += chapter.paddingFraction() / 2;
            less += grouped.paddingFraction() / 2;
        }
        qInfo("padding fraction of the chapter's training batches over 2 epochs: %.3f, grouped by length: %.3f",
              plain, less);
        QVERIFY(plain > 0.1);
        QVERIFY(less < plain / 5);
    }
};

QTEST_GUILESS_MAIN(TestBatcher)
#include "test_batcher.moc"
