// The `train` command's flags: every setting of TrainOptions has one and lands in run.json as
// given; a run the memory will not hold is refused before the first step (SFT_MEMORY_LIMIT).
// Apart from test_train_features because these run the sft-studio binary, which the sanitized
// tree of `./studio test --asan` does not build.

#include "core/train/run_directory.h"
#include "core/train/train_options.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/setting_flags.h"
#include "tests/support/test_support.h"
#include "tests/support/train_fixture.h"

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace sft;

class TestCliTrainFlags : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string slice_;

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        slice_ = test::writeChapterSlice(tmp_.filePath("slice.json"), 120);
    }

    void cleanup() { qunsetenv("SFT_MEMORY_LIMIT"); } // a failed case must not leave it to the next

    // Every setting of TrainOptions has a `train` flag, and the flags land in run.json as given.
    void everyOptionIsACliFlagRecordedInRunJson()
    {
        const TrainOptions o = test::everyOptionChanged();
        const QStringList flags = {
            "--epochs", "3", "--batch-size", "4", "--lr", "0.001", "--weight-decay", "0.05", "--beta1", "0.8",
            "--beta2", "0.99", "--adam-eps", "1e-6", "--eval-freq", "7", "--eval-iter", "2", "--seed", "9",
            "--max-length", "64", "--template", "phi3", "--group-by-length", "--max-steps", "1", "--train-loss", "chapter",
            "--sample-tokens", "4", "--full-head", "--mask-prompt", "--lr-schedule", "cosine", "--warmup-ratio", "0.1",
            "--min-lr", "1e-5",
            "--grad-accum", "2", "--max-grad-norm", "1.5", "--early-stopping-patience", "3",
            "--early-stopping-min-delta", "0.01", "--keep-best", "--save-every", "10", "--keep-last", "1",
            "--precision", "fp32", "--dropout", "0.2", "--no-decay-bias-norm", "--lora", "--lora-rank", "2",
            "--lora-alpha", "4", "--lora-dropout", "0.1", "--lora-targets", "k,attn_out", "--lora-merged",
            "--no-memory-check", "--nproc", "2", "--dist-timeout", "60", "--beta", "0.2"};
        // A setting added to TrainOptions without a flag shows up here as a default value.
        const nlohmann::json expected = o.toJson(), defaults = TrainOptions().toJson();
        for (const auto& [key, value] : defaults.items())
            QVERIFY2(test::kUnchangedByEveryOption.count(key) || expected.at(key) != value,
                     ("no flag in this test changes '" + key + "'").c_str());

        QTemporaryDir dir;
        const std::string model = test::makeTinyModelFolder(dir.filePath("model"));
        const QStringList inputs = {"train", "--model", QString::fromStdString(model), "--data",
                                    QString::fromStdString(slice_), "--out", dir.filePath("run")};
        const auto r = test::runStudio(inputs + flags);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const nlohmann::json recorded = RunDirectory::open(dir.filePath("run").toStdString()).readRunJson()["options"];
        QVERIFY2(recorded == expected, (recorded.dump() + "\n vs \n" + expected.dump()).c_str());
    }

    // `train --help` has a flag for every descriptor of the settings table, with the default the
    // descriptor's options hold, read from the help text Qt prints (one option per indented
    // "--flag" line, continued on the lines after it).
    void everySettingIsAFlagWithItsDefault()
    {
        const std::vector<SettingInfo> settings = trainSettings().infos();
        QVERIFY(settings.size() >= 38);
        const QString problem = test::settingFlagProblem("train", settings);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // One policy for invalid entries: each is reported and skipped; --strict refuses the file.
    void invalidEntriesAreSkippedUnlessStrict()
    {
        QTemporaryDir dir;
        const std::string model = test::makeTinyModelFolder(dir.filePath("model"));
        nlohmann::json entries = nlohmann::json::parse(readFile(slice_));
        entries[3] = {{"instruction", "no output"}};
        const QString data = dir.filePath("mixed.json");
        writeFileAtomic(data.toStdString(), entries.dump());
        const QStringList run = {"train", "--model", QString::fromStdString(model), "--data", data, "--max-steps",
                                 "1", "--eval-iter", "1", "--sample-tokens", "0"};
        auto r = test::runStudio(run + QStringList{"--out", dir.filePath("lenient")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("skipped entry 3: field 'output' is missing"), qPrintable(r.err));
        r = test::runStudio(run + QStringList{"--out", dir.filePath("strict"), "--strict"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("entry 3: field 'output' is missing"), qPrintable(r.err));
        QVERIFY(!QDir(dir.filePath("strict")).exists());
    }

    // The CLI refuses a run the memory will not hold, before the first step, and names LoRA
    // as what fits; --no-memory-check starts it anyway.
    void cliRefusesARunThatDoesNotFit()
    {
        QTemporaryDir dir;
        const std::string model = test::makeTinyModelFolder(dir.filePath("model"));
        const QStringList run = {"train", "--model", QString::fromStdString(model), "--data",
                                 QString::fromStdString(slice_), "--max-steps", "1", "--max-length", "64",
                                 "--eval-iter", "1"};
        qputenv("SFT_MEMORY_LIMIT", "0.001");
        auto r = test::runStudio(run + QStringList{"--out", dir.filePath("refused")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("full fine-tuning") && r.err.contains("needs about") && r.err.contains("memory check"),
                 qPrintable(r.err));
        QVERIFY(!QDir(dir.filePath("refused")).exists());
        r = test::runStudio(run + QStringList{"--out", dir.filePath("forced"), "--no-memory-check"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        qputenv("SFT_MEMORY_LIMIT", "lots");
        r = test::runStudio(run + QStringList{"--out", dir.filePath("bad-limit")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("SFT_MEMORY_LIMIT"), qPrintable(r.err));
        qunsetenv("SFT_MEMORY_LIMIT");
        r = test::runStudio(run + QStringList{"--out", dir.filePath("no-lora"), "--lora-rank", "4"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--lora-rank goes with --lora"), qPrintable(r.err));
        r = test::runStudio(run + QStringList{"--out", dir.filePath("lora"), "--lora", "--lora-rank", "4",
                                              "--lora-targets", "q,ffn", "--lora-merged"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const nlohmann::json options = RunDirectory::open(dir.filePath("lora").toStdString()).readRunJson()["options"];
        QVERIFY(options["lora"]["targets"] == nlohmann::json({"q", "ffn"}));
        QVERIFY(options["lora_merged"] == true);
    }
};

QTEST_GUILESS_MAIN(TestCliTrainFlags)
#include "test_cli_train_flags.moc"
