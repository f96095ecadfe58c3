// A run's loss curve read back from metrics.jsonl: every point as written, the loss of an
// empty split (NaN, stored as null) kept as NaN, a torn last line dropped, bad rows refused.

#include "core/train/run_directory.h"
#include "core/train/run_metrics.h"
#include "core/util/error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <limits>

using namespace sft;

class TestRunMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pointsComeBackAsWritten()
    {
        QTemporaryDir tmp;
        const std::string dir = tmp.filePath("run").toStdString();
        const RunDirectory run = RunDirectory::create(dir);
        run.writeRunJson({{"settings", {}}});
        QVERIFY(readEvalPoints(dir).empty());

        EvalPoint first{1, 0, 488, 3.25, 3.5, 1.5};
        EvalPoint second{2, 5, 3320, 1.125, std::numeric_limits<double>::quiet_NaN(), 9.0};
        run.appendMetrics(evalPointToJson(first));
        run.appendMetrics(evalPointToJson(second));
        std::ofstream(run.metricsPath(), std::ios::app) << "{\"epoch\":2,\"step\":10,\"tra";

        const std::vector<EvalPoint> points = readEvalPoints(dir);
        QCOMPARE(points.size(), size_t(2));
        QCOMPARE(points[0].step, int64_t(0));
        QCOMPARE(points[0].tokensSeen, int64_t(488));
        QCOMPARE(points[0].trainLoss, 3.25);
        QCOMPARE(points[0].valLoss, 3.5);
        QCOMPARE(points[1].epoch, int64_t(2));
        QCOMPARE(points[1].step, int64_t(5));
        QCOMPARE(points[1].trainLoss, 1.125);
        QVERIFY(std::isnan(points[1].valLoss));
        QCOMPARE(points[1].elapsedSeconds, 9.0);
    }

    void rowWithoutALossIsRefused()
    {
        QVERIFY_THROWS_EXCEPTION(FormatError, evalPointFromJson({{"step", 3}, {"train_loss", 1.0}}));
        QVERIFY_THROWS_EXCEPTION(FormatError, evalPointFromJson({{"train_loss", "x"}, {"val_loss", 1.0}}));
        QVERIFY_THROWS_EXCEPTION(FormatError, evalPointFromJson(nlohmann::json::array()));
    }

    void folderWithoutARunIsAnError()
    {
        QTemporaryDir tmp;
        QVERIFY_THROWS_EXCEPTION(FormatError, readEvalPoints(tmp.path().toStdString()));
    }
};

QTEST_GUILESS_MAIN(TestRunMetrics)
#include "test_run_metrics.moc"
