// Token-length histogram: round bin widths worked by hand, edge cases, the max-length count,
// and the chapter file's length range as the shared data's README states it (40 to 91 tokens).

#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/length_histogram.h"
#include "core/data/prompt_template.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/support/test_support.h"

#include <QtTest>

#include <numeric>

using namespace sft;

class TestLengthHistogram : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundBinsCoverEveryLength()
    {
        // 40..91 needs 52 bins of 1 (> 40); bins of 2 start at 40 and end with [90, 92): 26 bins.
        const LengthHistogram h = lengthHistogram({40, 41, 55, 91}, 40);
        QCOMPARE(h.binWidth, int64_t(2));
        QCOMPARE(h.firstBinStart, int64_t(40));
        QCOMPARE(h.counts.size(), size_t(26));
        QCOMPARE(h.counts[0], int64_t(2));  // 40, 41
        QCOMPARE(h.counts[7], int64_t(1));  // 55 in [54, 56)
        QCOMPARE(h.counts[25], int64_t(1)); // 91 in [90, 92)
        QCOMPARE(h.shortest, int64_t(40));
        QCOMPARE(h.longest, int64_t(91));
        QCOMPARE(h.total, int64_t(4));
    }

    void widthsGoOneTwoFive()
    {
        // 0..1306 in at most 40 bins: 20 gives 66 bins, 50 gives 27.
        QCOMPARE(lengthHistogram({0, 1306}, 40).binWidth, int64_t(50));
        QCOMPARE(lengthHistogram({0, 1306}, 40).counts.size(), size_t(27));
        QCOMPARE(lengthHistogram({7}, 40).counts, std::vector<int64_t>{1});
        QCOMPARE(lengthHistogram({7}, 40).binWidth, int64_t(1));
        QCOMPARE(lengthHistogram({0, 9}, 1).binWidth, int64_t(10));
        QCOMPARE(lengthHistogram({}, 40).total, int64_t(0));
        QVERIFY(lengthHistogram({}, 40).counts.empty());
    }

    void countLongerThanTheMaxLength()
    {
        QCOMPARE(countLongerThan({10, 20, 30, 31}, 30), int64_t(1));
        QCOMPARE(countLongerThan({10, 20}, 1024), int64_t(0));
        QCOMPARE(countLongerThan({}, 1), int64_t(0));
    }

    void chapterLengths()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        const Tokenizer tokenizer = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        const Dataset data = loadDataset(test::sharedPath("data/instruction-data.json"));
        std::vector<int64_t> lengths;
        for (const Example& e : tokenizeEntries(data.entries, PromptTemplate::alpaca(), tokenizer))
            lengths.push_back(int64_t(e.ids.size()));
        const LengthHistogram h = lengthHistogram(lengths);
        QCOMPARE(h.shortest, int64_t(40));
        QCOMPARE(h.longest, int64_t(91));
        QCOMPARE(std::accumulate(h.counts.begin(), h.counts.end(), int64_t(0)), int64_t(1100));
        QCOMPARE(countLongerThan(lengths, 1023), int64_t(0));
    }
};

QTEST_APPLESS_MAIN(TestLengthHistogram)
#include "test_length_histogram.moc"
