// Score statistics and judge agreement against values worked out by hand, and against the
// chapter's own numbers: GPT-4 vs Llama 3 on model 1 of 03_model-evaluation agree with
// Pearson 0.805, Spearman 0.698 and Kendall tau 0.573 (scores/correlation-analysis.ipynb).

#include "core/judge/agreement.h"
#include "core/judge/score_stats.h"
#include "core/judge/scores_file.h"
#include "core/util/error.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

using namespace sft;

namespace {

std::string scoresPath(const std::string& file)
{
    return test::sharedPath("data/ch07-extras/03_model-evaluation/scores/" + file);
}

double round3(double v) { return std::round(v * 1000) / 1000; }

bool near(double a, double b, double tolerance = 1e-6) { return std::abs(a - b) < tolerance; }

} // namespace

class TestScoreStats : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void summarizesScoredEntriesOnly()
    {
        const ScoreStats s = scoreStats({50.0, 60.0, 70.0, std::nullopt, 80.0});
        QCOMPARE(s.total, size_t(5));
        QCOMPARE(s.scored, size_t(4));
        QCOMPARE(s.mean, 65.0);                           // not 52, which counting the gap as 0 gives
        QVERIFY(near(s.stddev, std::sqrt(500.0 / 3.0))); // (15² + 5² + 5² + 15²) / (4 - 1)
        QCOMPARE(s.median, 65.0);
        const std::array<size_t, 10> histogram{0, 0, 0, 0, 0, 1, 1, 1, 1, 0};
        QCOMPARE(s.histogram, histogram);
    }

    void histogramBinsIncludeTheirLowerEdgeAndHundredIsTop()
    {
        const ScoreStats s = scoreStats({0.0, 9.0, 10.0, 89.0, 90.0, 100.0});
        const std::array<size_t, 10> histogram{2, 1, 0, 0, 0, 0, 0, 0, 1, 2};
        QCOMPARE(s.histogram, histogram);
    }

    void quantilesInterpolate()
    {
        QCOMPARE(quantile({1, 2, 3, 4}, 0.25), 1.75);
        QCOMPARE(quantile({1, 2, 3, 4}, 0.5), 2.5);
        QCOMPARE(quantile({7}, 0.975), 7.0);
    }

    void nothingScoredIsUndefinedNotZero()
    {
        const ScoreStats s = scoreStats({std::nullopt, std::nullopt});
        QCOMPARE(s.scored, size_t(0));
        QVERIFY(std::isnan(s.mean) && std::isnan(s.median) && std::isnan(s.ciLow));
        QVERIFY(scoreStats({42.0}).stddev != scoreStats({42.0}).stddev); // one score has no spread
        QVERIFY(s.toJson()["mean"].is_null());
    }

    void bootstrapIntervalIsSeededAndSized()
    {
        std::vector<std::optional<double>> uniform;
        for (int i = 0; i < 100; ++i)
            uniform.push_back(double(i));
        const ScoreStats a = scoreStats(uniform);
        const ScoreStats b = scoreStats(uniform);
        QCOMPARE(a.ciLow, b.ciLow);
        QCOMPARE(a.ciHigh, b.ciHigh);
        // Normal theory: mean 49.5 ± 1.96 · σ/√n with σ = √((n² - 1)/12) = 28.866 → ± 5.658.
        QVERIFY2(near(a.ciLow, 49.5 - 5.658, 0.4), std::to_string(a.ciLow).c_str());
        QVERIFY2(near(a.ciHigh, 49.5 + 5.658, 0.4), std::to_string(a.ciHigh).c_str());
        const ScoreStats other = scoreStats(uniform, {}, BootstrapSettings{7, 10000});
        QVERIFY(other.ciLow != a.ciLow || other.ciHigh != a.ciHigh);

        const ScoreStats constant = scoreStats({70.0, 70.0, 70.0});
        QCOMPARE(constant.ciLow, 70.0);
        QCOMPARE(constant.ciHigh, 70.0);
    }

    void samplesShowHowMuchTheJudgeDisagreesWithItself()
    {
        const ScoreStats s = scoreStats({90.0, 50.0, 30.0}, {{80, 90, 100}, {50, 50, 50}, {}});
        QCOMPARE(s.sampledEntries, size_t(2));
        QCOMPARE(s.meanSampleStddev, 5.0); // (10 + 0) / 2
        QCOMPARE(s.maxSampleRange, 20.0);
        QCOMPARE(s.maxRangeIndex, size_t(0));
        QVERIFY(!scoreStats({90.0}).toJson().contains("samples"));
    }

    void correlationsOfPerfectOrders()
    {
        const std::vector<double> x{1, 2, 3, 4, 5};
        QCOMPARE(pearson(x, {2, 4, 6, 8, 10}), 1.0);
        QCOMPARE(spearman(x, {1, 4, 9, 16, 25}), 1.0);
        QCOMPARE(kendallTauB(x, {1, 4, 9, 16, 25}), 1.0);
        QCOMPARE(kendallTauB({1, 2, 3}, {3, 2, 1}), -1.0);
    }

    void correlationsWithADiscordantPair()
    {
        // y swaps the middle two: 5 concordant pairs, 1 discordant; Σd² = 2.
        const std::vector<double> x{1, 2, 3, 4}, y{1, 3, 2, 4};
        QVERIFY(near(kendallTauB(x, y), 4.0 / 6.0));
        QVERIFY(near(spearman(x, y), 1 - 6.0 * 2 / (4 * 15)));
        QVERIFY(near(pearson(x, y), 0.8));
    }

    void tiesShareAverageRanksAndCorrectTau()
    {
        const std::vector<double> x{1, 2, 2, 3}, y{1, 3, 2, 4};
        QCOMPARE(averageRanks(x), (std::vector<double>{1, 2.5, 2.5, 4}));
        // Pearson: Sxy 3, Sxx 2, Syy 5. Spearman on ranks: 4.5 / √(4.5 · 5).
        QVERIFY(near(pearson(x, y), 3 / std::sqrt(10.0)));
        QVERIFY(near(spearman(x, y), 4.5 / std::sqrt(22.5)));
        // tau-b: 5 concordant, 0 discordant, 1 pair tied in x only: 5 / √(6 · 5).
        QVERIFY(near(kendallTauB(x, y), 5 / std::sqrt(30.0)));
    }

    void constantListHasNoCorrelation()
    {
        QVERIFY(std::isnan(pearson({1, 2, 3}, {5, 5, 5})));
        QVERIFY(std::isnan(kendallTauB({1, 2, 3}, {5, 5, 5})));
    }

    void chapterJudgesAgreeAsTheChapterReports()
    {
        const ScoreList gpt4 = loadScoreList(scoresPath("gpt4-model-1-response.json"));
        const ScoreList llama3 = loadScoreList(scoresPath("llama3-8b-model-1-response.json"));
        const Agreement a = agreement(gpt4, llama3);
        QCOMPARE(a.pairs, size_t(100));
        QCOMPARE(round3(a.pearson), 0.805);
        QCOMPARE(round3(a.spearman), 0.698);
        QCOMPARE(round3(a.kendall), 0.573);
    }

    void listsOfDifferentLengthAreRefusedWithBothLengths()
    {
        // The chapter dropped the one reply it could not parse, so nobody knows which entry
        // the 99 scores skip; pairing them by position would compare different entries.
        const ScoreList gpt4 = loadScoreList(scoresPath("gpt4-model-2-response.json"));
        const ScoreList llama3 = loadScoreList(scoresPath("llama3-8b-model-2-response.json"));
        QCOMPARE(llama3.scores.size(), size_t(99));
        try {
            agreement(gpt4, llama3);
            QFAIL("lists of different lengths must be refused");
        } catch (const ConfigError& e) {
            const std::string message = e.what();
            QVERIFY2(message.find("has 100 entries but") != std::string::npos &&
                         message.find("llama3-8b-model-2-response.json has 99") != std::string::npos,
                     e.what());
        }
    }

    void unscoredEntriesAreLeftOutOfAgreement()
    {
        const Agreement a = agreement({"a", {1.0, 2.0, std::nullopt, 4.0}}, {"b", {1.0, 3.0, 5.0, std::nullopt}});
        QCOMPARE(a.pairs, size_t(2));
        QCOMPARE(a.unscoredInA, size_t(1));
        QCOMPARE(a.unscoredInB, size_t(1));
        QVERIFY_THROWS_EXCEPTION(ConfigError, agreement({"a", {1.0, std::nullopt}}, {"b", {std::nullopt, 2.0}}));
    }

    void scoreListsLoadFromPlainListsAndScoresFiles()
    {
        QTemporaryDir dir;
        const std::string plain = dir.filePath("plain.json").toStdString();
        std::ofstream(plain) << "[85, null, 40.5]";
        const ScoreList list = loadScoreList(plain);
        QCOMPARE(list.scores, (std::vector<std::optional<double>>{85.0, std::nullopt, 40.5}));

        const std::string ours = dir.filePath("scores.json").toStdString();
        std::ofstream(ours) << R"({"format": "sft-studio scores", "version": 1, "scores": [10, null]})";
        QCOMPARE(loadScoreList(ours).scores, (std::vector<std::optional<double>>{10.0, std::nullopt}));

        const std::string bad = dir.filePath("bad.json").toStdString();
        std::ofstream(bad) << R"([85, "ninety"])";
        QVERIFY_THROWS_EXCEPTION(FormatError, loadScoreList(bad));
        std::ofstream(bad) << R"({"entries": []})";
        QVERIFY_THROWS_EXCEPTION(FormatError, loadScoreList(bad));
    }
};

QTEST_GUILESS_MAIN(TestScoreStats)
#include "test_score_stats.moc"
