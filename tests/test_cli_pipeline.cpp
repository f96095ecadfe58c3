// End to end through the sft-studio binary, as a user would run it: init -> eval-loss ->
// train -> respond on the chapter's dataset with a tiny model, then reload everything written.

#include "core/data/dataset.h"
#include "core/io/model_folder.h"
#include "core/train/run_directory.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace sft;

namespace {

QString shared(const char* relative) { return QString::fromStdString(test::sharedPath(relative)); }

double parseLoss(const QString& out)
{
    const QStringList words = out.trimmed().split(' ');
    if (words.size() != 2 || words[0] != "loss")
        return -1;
    return words[1].toDouble();
}

} // namespace

class TestCliPipeline : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
    }

    void wholePipeline()
    {
        QTemporaryDir dir;
        const QString model = dir.filePath("model"), run = dir.filePath("run");
        const QString data = shared("data/instruction-data.json");

        auto r = test::runStudio({"init", "--config", "tiny", "--seed", "1", "--tokenizer",
                                  shared("data/gpt2-tokenizer"), "--out", model});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));

        r = test::runStudio({"eval-loss", "--model", model, "--data", data, "--split", "val"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const double before = parseLoss(r.out);
        QVERIFY2(before > 10 && before < 11.5, qPrintable(r.out)); // ~ln(50257) for random weights

        r = test::runStudio({"train", "--model", model, "--data", data, "--out", run, "--max-steps", "10"}, 600000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QStringList lines = r.out.split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.filter(QRegularExpression(R"(^Ep 1 \(Step \d{6}\): Train loss \d+\.\d{3}, Val loss \d+\.\d{3}$)")).size(), 2);
        QVERIFY(lines.first().startsWith("Ep 1 (Step 000000): Train loss "));
        QCOMPARE(lines.filter(QRegularExpression("^Sample after epoch 1: Below is an instruction")).size(), 1);

        const RunDirectory runDir = RunDirectory::open(run.toStdString());
        QCOMPARE(runDir.readRunJson()["status"].get<std::string>(), std::string("finished"));
        QCOMPARE(int(runDir.readMetrics().size()), 2);
        const std::string checkpoint = runDir.checkpointPath("final");
        QVERIFY(isModelFolder(checkpoint));
        QCOMPARE(loadModelFolder(checkpoint).config.embDim, loadModelFolder(model.toStdString()).config.embDim);

        r = test::runStudio({"eval-loss", "--model", QString::fromStdString(checkpoint), "--data", data, "--split", "val"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const double after = parseLoss(r.out);
        QVERIFY2(after < before, qPrintable(QString("val loss %1 -> %2").arg(before).arg(after)));

        const QString responses = run + "/responses-test.json";
        r = test::runStudio({"respond", "--model", QString::fromStdString(checkpoint), "--data", data,
                             "--max-new-tokens", "6", "--batch-size", "16", "--out", responses}, 600000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const Dataset answered = loadDataset(responses.toStdString());
        QCOMPARE(int(answered.entries.size()), 110);
        const Dataset original = loadDataset(data.toStdString());
        QCOMPARE(answered.entries[0].instruction, original.entries[935].instruction);
        QVERIFY(answered.entries[0].source.contains("model_response"));
        QVERIFY(answered.entries[109].source["model_response"].is_string());
    }

    void badDatasetsGiveOneClearError_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("[{\"instruction\": \"a\",\n \"output\": }]") << "line 2";
        QTest::newRow("not a list") << QByteArray("\"text\"") << "bad.json";
        QTest::newRow("missing field") << QByteArray(R"([{"instruction": "a", "output": "b"}, {"instruction": "c"}])")
                                       << "output";
        QTest::newRow("non-string field") << QByteArray(R"([{"instruction": 3, "output": "b"}])") << "instruction";
        QTest::newRow("empty file") << QByteArray("") << "empty";
        QTest::newRow("invalid utf-8") << QByteArray("[{\"instruction\": \"a\xff\", \"output\": \"b\"}]") << "UTF-8";
    }

    void badDatasetsGiveOneClearError()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.json");
        writeFileAtomic(path.toStdString(), content.toStdString());
        const auto r = test::runStudio({"tokenize", "--tokenizer", shared("data/gpt2-tokenizer"), "--data", path});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("sft-studio: error: "), qPrintable(r.err));
        QVERIFY2(r.err.contains("bad.json"), qPrintable(r.err));
        QVERIFY2(r.err.contains(expected, Qt::CaseInsensitive), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
    }

    void usageErrorsPointToHelp()
    {
        const auto r = test::runStudio({"train", "--epochs", "zero"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--epochs") && r.err.contains("--help"), qPrintable(r.err));
        const auto help = test::runStudio({"train", "--help"});
        QCOMPARE(help.exitCode, 0);
        for (const char* option : {"--max-steps", "--mask-prompt", "--lr-schedule", "--warmup-steps", "--warmup-ratio",
                                   "--min-lr", "--grad-accum", "--max-grad-norm", "--early-stopping-patience",
                                   "--early-stopping-min-delta", "--keep-best", "--save-every", "--keep-last",
                                   "--precision", "--dropout", "--no-decay-bias-norm", "--resume", "--more-epochs"})
            QVERIFY2(help.out.contains(option), option);
    }
};

QTEST_GUILESS_MAIN(TestCliPipeline)
#include "test_cli_pipeline.moc"
