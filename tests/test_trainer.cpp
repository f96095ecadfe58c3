// The trainer's semantics: the chapter's loss, step counting, evaluation schedule, run folder,
// determinism and stopping.

#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/io/model_folder.h"
#include "core/train/loss.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"
#include "tests/support/train_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace sft;
using sft::test::Recorder;
using sft::test::tinyInputs;

namespace {

TrainOptions quickOptions()
{
    TrainOptions o;
    o.maxSteps = 7;
    o.evalFreq = 3;
    o.evalIter = 2;
    o.learningRate = 1e-3;
    o.sampleTokens = 5;
    return o;
}

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        torch::set_num_threads(2);
    }

    // Mean cross-entropy over the counted targets, computed by hand from the logits.
    void lossIsMeanOverCountedTargets()
    {
        Gpt model(test::tinyTrainConfig());
        model->initWeights(1);
        Example a{{10, 11, 12, 13, 14}, 0}, b{{20, 21}, 0};
        const Batch batch = collate({&a, &b}, CollateOptions{});
        const torch::Tensor logits = model->forward(batch.inputs);
        const torch::Tensor logp = torch::log_softmax(logits, -1);
        double sum = 0;
        int count = 0;
        for (int64_t r = 0; r < batch.targets.size(0); ++r)
            for (int64_t t = 0; t < batch.targets.size(1); ++t) {
                const int64_t target = batch.targets[r][t].item<int64_t>();
                if (target == -100)
                    continue;
                sum -= logp[r][t][target].item<double>();
                ++count;
            }
        QCOMPARE(count, 5 + 2); // a: 11..14 and the first 50256; b: 21 and the first 50256
        const double expected = sum / count;
        QVERIFY(std::abs(batchLoss(model, batch, false).item<double>() - expected) < 1e-5);
        QVERIFY(std::abs(batchLoss(model, batch, true).item<double>() - expected) < 1e-5);
    }

    // Applying the head only where targets count gives the same loss and the same gradients.
    void headOnCountedTargetsMatchesFullHead()
    {
        const Tokenizer tok = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        const Dataset data = loadDataset(test::sharedPath("data/instruction-data.json"));
        const std::vector<Entry> some(data.entries.begin(), data.entries.begin() + 8);
        const DataLoader loader(tokenizeEntries(some, PromptTemplate::alpaca(), tok), 8, false, false, 0, {});
        Gpt model(test::tinyTrainConfig());
        model->initWeights(2);
        const Batch batch = loader.batch(0);
        QVERIFY((batch.targets == -100).any().item<bool>());
        torch::Tensor full = batchLoss(model, batch, false);
        full.backward();
        const torch::Tensor fullGrad = model->lm_head->weight.grad().clone();
        model->zero_grad();
        torch::Tensor counted = batchLoss(model, batch, true);
        counted.backward();
        QVERIFY(std::abs(full.item<double>() - counted.item<double>()) < 1e-5);
        QVERIFY(torch::allclose(fullGrad, model->lm_head->weight.grad(), 1e-5, 1e-6));
    }

    // The app's evaluation regroups the rows of its batches by length and computes no padding:
    // the chapter's per-batch mean losses all the same, whole and as the sum of shards' parts,
    // with and without masked prompts.
    void evaluationWithoutPaddingIsTheChaptersMean()
    {
        const Tokenizer tok = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        const Dataset data = loadDataset(test::sharedPath("data/instruction-data.json"));
        const std::vector<Entry> some(data.entries.begin() + 40, data.entries.begin() + 77);
        Gpt model(test::tinyTrainConfig());
        model->initWeights(3);
        for (const bool mask : {false, true}) {
            CollateOptions collate;
            collate.maskPrompt = mask;
            collate.allowedMaxLength = 128;
            const DataLoader loader(tokenizeEntries(some, PromptTemplate::alpaca(), tok), 8, false, false, 0, collate);
            QCOMPARE(loader.numBatches(), int64_t(5)); // the last one holds 5 rows
            const double chapter = meanLoss(model, loader, 4, false);
            const double regrouped = meanLoss(model, loader, 4, true);
            qInfo("masked prompt %d: chapter %.9f, regrouped %.9f", int(mask), chapter, regrouped);
            QVERIFY(std::abs(chapter - regrouped) < 1e-6 * chapter);
            const double parts = meanLoss(model, loader, 5, true, {0, 2}) + meanLoss(model, loader, 5, true, {1, 2});
            QVERIFY(std::abs(parts - meanLoss(model, loader, 5, false)) < 1e-6 * parts);
        }
    }

    void evaluationScheduleAndRunFolder()
    {
        QTemporaryDir dir;
        TrainInputs inputs = tinyInputs();
        Recorder recorder;
        const TrainResult result = train(inputs, quickOptions(), dir.path().toStdString() + "/run", recorder);
        QVERIFY(!result.stopped);
        QCOMPARE(result.steps, int64_t(7));
        QCOMPARE(int(recorder.steps.size()), 7);
        // The chapter evaluates when global_step % eval_freq == 0, counting from step 0.
        QCOMPARE(int(recorder.evals.size()), 3);
        QCOMPARE(recorder.evals[0].step, int64_t(0));
        QCOMPARE(recorder.evals[2].step, int64_t(6));
        QCOMPARE(recorder.steps.back().tokensSeen, recorder.evals[2].tokensSeen);
        QCOMPARE(int(recorder.samples.size()), 1);
        QVERIFY(recorder.samples[0].rfind("Below is an instruction", 0) == 0);
        QVERIFY(recorder.samples[0].find('\n') == std::string::npos);

        const RunDirectory run = RunDirectory::open(dir.path().toStdString() + "/run");
        const nlohmann::json json = run.readRunJson();
        QCOMPARE(json["status"].get<std::string>(), std::string("finished"));
        QCOMPARE(json["dataset"]["sha256"].get<std::string>(),
                 std::string("7e09a9af353722ca15c18bc580f093f9c39d3178335a75177319cb1e1d163944"));
        QCOMPARE(json["dataset"]["split"]["train"].get<int>(), 935);
        QCOMPARE(json["options"]["eval_freq"].get<int>(), 3);
        const auto rows = run.readMetrics();
        QCOMPARE(int(rows.size()), 3);
        QCOMPARE(rows[1]["step"].get<int>(), 3);
        QCOMPARE(rows[1]["val_loss"].get<double>(), recorder.evals[1].valLoss);
        LoadedModel back = loadModelFolder(result.checkpoint);
        const torch::Tensor ids = torch::tensor({{1, 2, 3}}, torch::kLong);
        torch::NoGradGuard noGrad;
        QVERIFY(torch::equal(back.model->forward(ids), inputs.model.model->forward(ids)));
    }

    // The app reports the mean of the steps since the last evaluation; the chapter's setting
    // runs eval_iter fresh training batches through the model instead. The validation loss and
    // the steps are the same either way within the first epoch (whose order is drawn before).
    void trainLossIsTheStepsMeanOrTheChaptersEstimate()
    {
        QTemporaryDir dir;
        TrainInputs a = tinyInputs(), b = tinyInputs();
        Recorder steps, chapter;
        TrainOptions o = quickOptions();
        train(a, o, dir.path().toStdString() + "/steps", steps);
        o.trainLoss = "chapter";
        train(b, o, dir.path().toStdString() + "/chapter", chapter);
        QCOMPARE(int(steps.evals.size()), 3);
        QCOMPARE(steps.evals[0].trainLoss, steps.steps[0].loss);
        QCOMPARE(steps.evals[1].trainLoss, (steps.steps[1].loss + steps.steps[2].loss + steps.steps[3].loss) / 3);
        QCOMPARE(steps.evals[2].trainLoss, (steps.steps[4].loss + steps.steps[5].loss + steps.steps[6].loss) / 3);
        for (size_t i = 0; i < steps.evals.size(); ++i) {
            QCOMPARE(steps.evals[i].valLoss, chapter.evals[i].valLoss);
            QVERIFY(std::abs(chapter.evals[i].trainLoss - steps.evals[i].trainLoss) > 1e-4);
        }
        for (size_t i = 0; i < steps.steps.size(); ++i)
            QCOMPARE(steps.steps[i].loss, chapter.steps[i].loss);
        const RunDirectory run = RunDirectory::open(dir.path().toStdString() + "/steps");
        QCOMPARE(run.readRunJson()["options"]["train_loss"].get<std::string>(), std::string("steps"));
        QCOMPARE(run.readMetrics()[1]["train_loss"].get<double>(), steps.evals[1].trainLoss);
    }

    void sameSeedSameLosses()
    {
        QTemporaryDir dir;
        TrainInputs a = tinyInputs(), b = tinyInputs();
        Recorder ra, rb;
        train(a, quickOptions(), dir.path().toStdString() + "/a", ra);
        train(b, quickOptions(), dir.path().toStdString() + "/b", rb);
        for (size_t i = 0; i < ra.steps.size(); ++i)
            QCOMPARE(ra.steps[i].loss, rb.steps[i].loss);
        QCOMPARE(ra.evals.back().valLoss, rb.evals.back().valLoss);
    }

    void lossFallsWhileTraining()
    {
        QTemporaryDir dir;
        TrainInputs inputs = tinyInputs();
        Recorder recorder;
        TrainOptions o = quickOptions();
        o.maxSteps = 12;
        o.evalFreq = 11;
        train(inputs, o, dir.path().toStdString() + "/run", recorder);
        QVERIFY2(recorder.evals.back().valLoss < recorder.evals.front().valLoss - 0.5,
                 qPrintable(QString("val loss %1 -> %2").arg(recorder.evals.front().valLoss).arg(recorder.evals.back().valLoss)));
    }

    void stopSavesWhereItStopped()
    {
        QTemporaryDir dir;
        TrainInputs inputs = tinyInputs();
        JobControl job;
        Recorder recorder;
        recorder.stopAfter = &job;
        recorder.stopStep = 3;
        const TrainResult result = train(inputs, quickOptions(), dir.path().toStdString() + "/run", recorder, &job);
        QVERIFY(result.stopped);
        QCOMPARE(result.steps, int64_t(4));
        const RunDirectory run = RunDirectory::open(dir.path().toStdString() + "/run");
        QCOMPARE(run.readRunJson()["status"].get<std::string>(), std::string("stopped"));
        QVERIFY(result.checkpoint.find("step-000004") != std::string::npos);
        QVERIFY(isModelFolder(result.checkpoint));
        QCOMPARE(int(run.readMetrics().size()), 2);
    }

    void refusesToOverwriteARun()
    {
        QTemporaryDir dir;
        TrainInputs inputs = tinyInputs();
        Recorder recorder;
        TrainOptions o = quickOptions();
        o.maxSteps = 1;
        train(inputs, o, dir.path().toStdString() + "/run", recorder);
        QVERIFY_THROWS_EXCEPTION(ConfigError, train(inputs, o, dir.path().toStdString() + "/run", recorder));
    }

    void tornMetricsLineIsDropped()
    {
        QTemporaryDir dir;
        const RunDirectory run = RunDirectory::create(dir.path().toStdString());
        run.writeRunJson({{"status", "running"}});
        run.appendMetrics({{"step", 0}});
        run.appendMetrics({{"step", 5}});
        writeFileAtomic(run.metricsPath(), readFile(run.metricsPath()) + "{\"step\": 1");
        const auto rows = run.readMetrics();
        QCOMPARE(int(rows.size()), 2);
        QCOMPARE(rows[1]["step"].get<int>(), 5);
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "test_trainer.moc"
