// The training plan the Train view shows before Start: parameter counts and the memory
// estimate from a model's config file alone. A gpt2-xl config.json without any weights is
// enough to tell that its full fine-tuning cannot fit in 24 GB and that LoRA can. Before
// Start, one measured step of a tiny model gives the time of an epoch.

#include "core/hub/model_catalog.h"
#include "core/io/config_file.h"
#include "core/train/step_timing.h"
#include "core/train/training_plan.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace sft;

namespace {

constexpr int64_t k24Gb = 24'000'000'000;

// What Hugging Face's openai-community/gpt2-xl config.json says about the model's shape.
const char* const kGpt2XlConfig = R"({
  "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "activation_function": "gelu_new",
  "n_ctx": 1024, "n_embd": 1600, "n_head": 25, "n_layer": 48, "n_positions": 1024,
  "vocab_size": 50257, "layer_norm_epsilon": 1e-05, "attn_pdrop": 0.1, "embd_pdrop": 0.1,
  "resid_pdrop": 0.1})";

LoraOptions queryValueRank8()
{
    LoraOptions lora;
    lora.rank = 8;
    lora.targets = {LoraTarget::Query, LoraTarget::Value};
    return lora;
}

// A micro-batch of 2 x 256 tokens: LoRA's activations fit beside gpt2-xl's weights.
TrainOptions smallBatches()
{
    TrainOptions o;
    o.batchSize = 2;
    o.maxLength = 256;
    return o;
}

} // namespace

class TestTrainingPlan : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    std::string xl_;
    GptConfig xlConfig_; // as the trainer's loaded model has it: a head of its own

    std::string folderWith(const QString& name, const std::vector<std::pair<std::string, std::string>>& files)
    {
        const std::string dir = tmp_.filePath(name).toStdString();
        makeDirectories(dir);
        for (const auto& [file, text] : files)
            writeFileAtomic(dir + "/" + file, text);
        return dir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        qputenv("SFT_CACHE_DIR", tmp_.filePath("cache").toUtf8());
        xl_ = folderWith("gpt2-xl", {{"config.json", kGpt2XlConfig}});
        xlConfig_ = readGptConfigFile(xl_ + "/config.json");
        xlConfig_.tieEmbeddings = false;
    }

    void fullFineTuningOfGpt2XlDoesNotFitIn24Gb()
    {
        const auto plan = planTraining(xl_, smallBatches(), k24Gb);
        QVERIFY(plan);
        QCOMPARE(plan->totalParameters, xlConfig_.parameterCount());
        QCOMPARE(plan->trainableParameters, plan->totalParameters);
        QCOMPARE(plan->availableBytes, k24Gb);
        QVERIFY(plan->memory.peak() > k24Gb);
        const QString message = QString::fromStdString(plan->shortfall);
        qInfo("%s", qPrintable(message));
        QVERIFY2(message.contains("LoRA") && message.contains("gpt2-xl"), qPrintable(message));
    }

    void loraOnQueryAndValueFits()
    {
        TrainOptions options = smallBatches();
        options.lora = queryValueRank8();
        const auto plan = planTraining(xl_, options, k24Gb);
        QVERIFY(plan);
        const int64_t adapters = loraParameterCount(xlConfig_, *options.lora);
        QCOMPARE(adapters, int64_t(48 * 2 * 8 * (1600 + 1600)));
        QCOMPARE(plan->trainableParameters, adapters);
        QCOMPARE(plan->totalParameters, xlConfig_.parameterCount() + adapters);
        QVERIFY2(plan->shortfall.empty(), plan->shortfall.c_str());
        QVERIFY(plan->memory.peak() <= k24Gb);
    }

    // The longest batch is known only once the dataset is tokenized; the plan takes the
    // longest any batch can be.
    void sequenceLengthIsTheMaxLengthCappedAtTheContext()
    {
        TrainOptions options = smallBatches();
        options.maxLength = 4096;
        const auto capped = planTraining(xl_, options, k24Gb);
        QCOMPARE(capped->sequenceLength, int64_t(1024));
        QCOMPARE(capped->memory.activations, estimateTrainingMemory(xlConfig_, 2, 1024, nullptr).activations);
        QVERIFY(!capped->lengthFromDataset);
        options.maxLength = 100;
        QCOMPARE(planTraining(xl_, options, k24Gb)->memory.activations,
                 estimateTrainingMemory(xlConfig_, 2, 100, nullptr).activations);
    }

    // With the dataset's longest entry known, the plan is the trainer's own: its longest batch.
    void theDatasetsLongestEntryIsUsedWhenKnown()
    {
        TrainOptions options = smallBatches();
        const auto plan = planTraining(xl_, options, k24Gb, 91);
        QCOMPARE(plan->sequenceLength, int64_t(91));
        QVERIFY(plan->lengthFromDataset);
        QCOMPARE(plan->memory.peak(), estimateTrainingMemory(xlConfig_, 2, 91, nullptr).peak());
        QCOMPARE(planTraining(xl_, options, k24Gb, 5000)->sequenceLength, int64_t(256)); // truncated
    }

    void adaptersArePlannedOnTheirBaseModel()
    {
        const std::string adapters = folderWith(
            "xl-adapters", {{"adapter_config.json", R"({"base_model_name_or_path": "../gpt2-xl", "r": 8})"},
                            {"adapter_model.safetensors", "not read"}});
        const auto plan = planTraining(adapters, smallBatches(), k24Gb);
        QVERIFY(plan);
        QCOMPARE(plan->totalParameters, xlConfig_.parameterCount());
    }

    void aDownloadedModelNameIsResolvedInTheCache()
    {
        std::vector<std::pair<std::string, std::string>> files;
        for (const std::string& file : modelFileNames())
            files.emplace_back(file, file == "config.json" ? kGpt2XlConfig : "not read");
        QVERIFY_THROWS_EXCEPTION(IoError, planTraining("gpt2-xl", smallBatches(), k24Gb));
        folderWith("cache/gpt2-xl", files);
        const auto plan = planTraining("gpt2-xl", smallBatches(), k24Gb);
        QVERIFY(plan);
        QCOMPARE(plan->totalParameters, xlConfig_.parameterCount());
    }

    void anOpenAiCheckpointIsPlannedFromItsHparams()
    {
        const std::string dir = folderWith(
            "openai-124M", {{"hparams.json", R"({"n_vocab": 50257, "n_ctx": 1024, "n_embd": 768, "n_head": 12,
                                                 "n_layer": 12})"},
                            {"checkpoint", "model_checkpoint_path: \"model.ckpt\""}});
        const auto plan = planTraining(dir, smallBatches(), k24Gb);
        QVERIFY(plan);
        QCOMPARE(plan->totalParameters, int64_t(124'439'808 + 50257 * 768)); // GPT-2 small with its own head
    }

    void aModelWithoutAConfigFileIsUnknown()
    {
        const std::string dir = folderWith("book-model", {{"model.safetensors", "not read"}});
        QVERIFY(!planTraining(dir, smallBatches(), k24Gb));
        QVERIFY(!planTraining(dir + "/model.safetensors", smallBatches(), k24Gb));
    }

    // 102 training entries in batches of 4 (the last, partial one dropped) are 25 micro-batches,
    // two to a step: 13 steps per epoch, each taking the measured time.
    void aMeasuredStepGivesTheTimeOfAnEpoch()
    {
        const std::string model = test::makeTinyModelFolder(tmp_.filePath("tiny"));
        TrainOptions o;
        o.batchSize = 4;
        o.gradAccumulation = 2;
        o.maxLength = 64;
        torch::set_num_threads(2);
        const StepTiming t = measureTrainingStep(model, o, 64, 102);
        QVERIFY(t.secondsPerStep > 0);
        QCOMPARE(t.stepsPerEpoch, int64_t(13));
        QCOMPARE(t.threads, 2);
        QCOMPARE(t.device, std::string("cpu"));
        QCOMPARE(t.secondsPerEpoch(), 13 * t.secondsPerStep);
        JobControl stop;
        stop.requestCancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled, measureTrainingStep(model, o, 64, 102, &stop));
        QVERIFY_THROWS_EXCEPTION(IoError, measureTrainingStep(tmp_.filePath("missing").toStdString(), o, 64, 102));
    }

    void aMissingModelOrInvalidLoraIsRefused()
    {
        QVERIFY_THROWS_EXCEPTION(IoError, planTraining(tmp_.filePath("nothing").toStdString(), smallBatches(), k24Gb));
        TrainOptions options = smallBatches();
        options.lora = queryValueRank8();
        options.lora->targets.clear();
        QVERIFY_THROWS_EXCEPTION(ConfigError, planTraining(xl_, options, k24Gb));
    }
};

QTEST_GUILESS_MAIN(TestTrainingPlan)
#include "test_training_plan.moc"
