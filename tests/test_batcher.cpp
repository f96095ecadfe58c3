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
};

QTEST_GUILESS_MAIN(TestBatcher)
#include "test_batcher.moc"
