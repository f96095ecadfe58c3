// DPO against a minimal reference of the book's dpo-from-scratch notebook written here from
// its definitions in plain LibTorch (full logits, log-softmax, gather, masks): the collate, the
// per-sequence log-probabilities, the loss and rewards of a batch, and three training steps
// followed by `eval-loss --method dpo`. Then what the trainer adds: ln 2 at the start, LoRA's
// reference without a second copy of the weights, and refused data.

#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/io/model_folder.h"
#include "core/model/lora.h"
#include "core/train/dpo_loss.h"
#include "core/train/run_directory.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"
#include "tests/support/train_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace sft;
using torch::indexing::Slice;

namespace {

// The notebook's format_input.
std::string formatInput(const Entry& e)
{
    std::string text = "Below is an instruction that describes a task. Write a response that appropriately "
                       "completes the request.\n\n### Instruction:\n" +
                       e.instruction;
    if (!e.input.empty())
        text += "\n\n### Input:\n" + e.input;
    return text;
}

struct Encoded {
    std::vector<int64_t> prompt, chosen, rejected;
};

std::vector<int64_t> encode(const Tokenizer& tokenizer, const std::string& text)
{
    const std::vector<int> ids = tokenizer.encode(text);
    return {ids.begin(), ids.end()};
}

// The notebook's PreferenceDataset.
std::vector<Encoded> encodeAsTheNotebook(const std::vector<Entry>& entries, const Tokenizer& tokenizer)
{
    std::vector<Encoded> out;
    for (const Entry& e : entries) {
        const std::string prompt = formatInput(e);
        out.push_back({encode(tokenizer, prompt), encode(tokenizer, prompt + "\n\n### Response:\n" + e.chosen),
                       encode(tokenizer, prompt + "\n\n### Response:\n" + e.rejected)});
    }
    return out;
}

// The notebook's custom_collate_fn (mask_prompt_tokens=True).
struct NotebookBatch {
    torch::Tensor chosen, rejected, chosenMask, rejectedMask;
};

NotebookBatch collateAsTheNotebook(const std::vector<Encoded>& batch, int64_t allowedMaxLength)
{
    int64_t common = 0;
    for (const Encoded& item : batch)
        common = std::max({common, int64_t(item.chosen.size()) + 1, int64_t(item.rejected.size()) + 1});
    std::vector<torch::Tensor> ids[2], masks[2];
    for (const Encoded& item : batch)
        for (int k = 0; k < 2; ++k) {
            const std::vector<int64_t>& sequence = k == 0 ? item.chosen : item.rejected;
            std::vector<int64_t> padded = sequence;
            padded.resize(size_t(common), 50256);
            torch::Tensor mask = torch::ones({common}, torch::kBool);
            mask.index_put_({Slice(int64_t(sequence.size()))}, false);
            mask.index_put_({Slice(0, int64_t(item.prompt.size()) + 2)}, false);
            ids[k].push_back(torch::tensor(padded, torch::kInt64));
            masks[k].push_back(mask);
        }
    const auto cut = [&](const std::vector<torch::Tensor>& rows) {
        return torch::stack(rows).index({Slice(), Slice(0, allowedMaxLength)});
    };
    return {cut(ids[0]), cut(ids[1]), cut(masks[0]), cut(masks[1])};
}

// The notebook's compute_logprobs.
torch::Tensor logprobsAsTheNotebook(const torch::Tensor& logits, const torch::Tensor& labels, const torch::Tensor& mask)
{
    const torch::Tensor next = labels.index({Slice(), Slice(1)});
    const torch::Tensor logp = torch::log_softmax(logits.index({Slice(), Slice(0, -1)}), -1);
    const torch::Tensor picked = logp.gather(-1, next.unsqueeze(-1)).squeeze(-1);
    const torch::Tensor m = mask.index({Slice(), Slice(1)}).to(torch::kFloat);
    return (picked * m).sum(-1) / m.sum(-1);
}

struct NotebookLoss {
    torch::Tensor loss, chosenReward, rejectedReward;
};

// compute_dpo_loss_batch: compute_dpo_loss over the four log-probabilities.
NotebookLoss lossAsTheNotebook(const NotebookBatch& b, Gpt& policy, Gpt& reference, double beta)
{
    const torch::Tensor pc = logprobsAsTheNotebook(policy->forward(b.chosen), b.chosen, b.chosenMask);
    const torch::Tensor pr = logprobsAsTheNotebook(policy->forward(b.rejected), b.rejected, b.rejectedMask);
    torch::Tensor rc, rr;
    {
        torch::NoGradGuard noGrad;
        rc = logprobsAsTheNotebook(reference->forward(b.chosen), b.chosen, b.chosenMask);
        rr = logprobsAsTheNotebook(reference->forward(b.rejected), b.rejected, b.rejectedMask);
    }
    const torch::Tensor logits = (pc - pr) - (rc - rr);
    return {-torch::log_sigmoid(beta * logits).mean(), (pc - rc).detach().mean(), (pr - rr).detach().mean()};
}

std::vector<const Example*> pointers(const std::vector<Example>& examples, size_t from, size_t count)
{
    std::vector<const Example*> out;
    for (size_t i = from; i < from + count && i < examples.size(); ++i)
        out.push_back(&examples[i]);
    return out;
}

bool close(double a, double b, double relative)
{
    return std::abs(a - b) <= relative * std::max({std::abs(a), std::abs(b), 1e-12});
}

} // namespace

class TestDpo : public QObject {
    Q_OBJECT
private:
    QTemporaryDir tmp_;
    std::string data_;
    Tokenizer tokenizer_ = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
    std::vector<Entry> entries_;

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        torch::set_num_threads(2);
        data_ = test::writePreferenceSlice(tmp_.filePath("prefs.json"), 40);
        const Dataset dataset = loadDataset(data_, BadEntries::Refuse, EntryFields::Preference);
        QVERIFY(dataset.preferences);
        entries_ = dataset.entries;
    }

    // Tokens and the four collated tensors, with and without truncation, equal the notebook's.
    void collateEqualsTheNotebook()
    {
        const std::vector<Example> ours = tokenizePreferences(entries_, PromptTemplate::alpaca(), tokenizer_);
        const std::vector<Encoded> theirs = encodeAsTheNotebook(entries_, tokenizer_);
        QCOMPARE(ours.size(), theirs.size());
        for (size_t i = 0; i < ours.size(); ++i) {
            QCOMPARE(ours[i].promptLength, int64_t(theirs[i].prompt.size()));
            QVERIFY(ours[i].ids == theirs[i].chosen);
            QVERIFY(ours[i].rejected == theirs[i].rejected);
        }
        for (const int64_t allowed : {int64_t(1024), int64_t(60)}) {
            CollateOptions options;
            options.allowedMaxLength = allowed;
            for (size_t from = 0; from < 16; from += 8) {
                const PreferencePairs got = collatePreferences(pointers(ours, from, 8), options);
                const NotebookBatch want = collateAsTheNotebook({theirs.begin() + long(from), theirs.begin() + long(from + 8)}, allowed);
                QVERIFY(torch::equal(got.chosen, want.chosen));
                QVERIFY(torch::equal(got.rejected, want.rejected));
                QVERIFY(torch::equal(got.chosenMask, want.chosenMask));
                QVERIFY(torch::equal(got.rejectedMask, want.rejectedMask));
                QVERIFY(want.chosenMask.any().item<bool>());
            }
        }
    }

    // Per-sequence log-probabilities (both ways of applying the head), loss and rewards of a
    // batch, against a policy and a reference of different random weights.
    void lossAndRewardsEqualTheNotebook()
    {
        Gpt policy = test::randomGpt(test::tinyTrainConfig(), 1, 0.05);
        Gpt reference = test::randomGpt(test::tinyTrainConfig(), 2, 0.05);
        const std::vector<Example> ours = tokenizePreferences(entries_, PromptTemplate::alpaca(), tokenizer_);
        const std::vector<Encoded> theirs = encodeAsTheNotebook(entries_, tokenizer_);
        CollateOptions options;
        options.allowedMaxLength = 128;
        const PreferencePairs pairs = collatePreferences(pointers(ours, 0, 6), options);
        const Batch batch = pairBatch(pairs, options.ignoreIndex);
        const NotebookBatch nb = collateAsTheNotebook({theirs.begin(), theirs.begin() + 6}, 128);

        torch::NoGradGuard noGrad;
        const torch::Tensor want = torch::cat({logprobsAsTheNotebook(policy->forward(nb.chosen), nb.chosen, nb.chosenMask),
                                               logprobsAsTheNotebook(policy->forward(nb.rejected), nb.rejected, nb.rejectedMask)});
        for (const bool headOnCounted : {true, false}) {
            const torch::Tensor got = sequenceLogProbs(policy, batch, headOnCounted);
            QVERIFY2(torch::allclose(got, want, 1e-6, 1e-6), qPrintable(QString::number((got - want).abs().max().item<double>())));
        }
        const NotebookLoss expected = lossAsTheNotebook(nb, policy, reference, 0.1);
        ReferenceModel frozen = ReferenceModel::separate(reference);
        const PreferenceLoss got = dpoBatchLoss(policy, frozen, batch, 0.1);
        QVERIFY(std::abs(got.loss.item<double>() - expected.loss.item<double>()) < 1e-6);
        QVERIFY(std::abs(got.chosenReward - expected.chosenReward.item<double>()) < 1e-6);
        QVERIFY(std::abs(got.rejectedReward - expected.rejectedReward.item<double>()) < 1e-6);
        QVERIFY(std::abs(got.chosenReward) > 1e-3 && std::abs(got.rejectedReward) > 1e-3); // the models differ
    }

    // The policy equal to its reference: every logit of the loss is 0, the loss ln 2 to the bit.
    void policyEqualToReferenceGivesLn2()
    {
        Gpt policy = test::randomGpt(test::tinyTrainConfig(), 3, 0.05);
        Gpt copy = test::randomGpt(test::tinyTrainConfig(), 3, 0.05);
        const std::vector<Example> ours = tokenizePreferences(entries_, PromptTemplate::alpaca(), tokenizer_);
        const Batch batch = collate(pointers(ours, 0, 8), CollateOptions{});
        ReferenceModel frozen = ReferenceModel::separate(copy);
        const PreferenceLoss loss = dpoBatchLoss(policy, frozen, batch, 0.1);
        QCOMPARE(loss.loss.item<float>(), float(std::log(2.0)));
        QCOMPARE(loss.chosenReward, 0.0);
        QCOMPARE(loss.rejectedReward, 0.0);
    }

    // Three steps of the notebook's train_model_dpo_simple (AdamW, batches in file order) here,
    // three of `train --method dpo --no-shuffle`, then the notebook's compute_dpo_loss_loader
    // here and `eval-loss --method dpo` on the two trained models.
    void threeStepsThenEvalLossEqualTheNotebook()
    {
        const QString modelDir = tmp_.filePath("model"), runDir = tmp_.filePath("three-steps");
        const std::string model = test::makeTinyModelFolder(modelDir);
        const auto trained = test::runStudio({"train", "--method", "dpo", "--model", modelDir, "--data",
                                              QString::fromStdString(data_), "--out", runDir, "--no-shuffle",
                                              "--max-steps", "3", "--batch-size", "4", "--lr", "1e-3",
                                              "--precision", "fp32", "--sample-tokens", "0"});
        QVERIFY2(trained.exitCode == 0, qPrintable(trained.err));
        // The notebook's line, after the first step.
        QVERIFY2(trained.out.contains(QRegularExpression("^Ep 1 \\(Step 000000\\): Train loss 0\\.69\\d, Val loss "
                                                         "0\\.69\\d, Train reward margins -?\\d\\.\\d{3}, Val reward "
                                                         "margins -?\\d\\.\\d{3}\n",
                                                         QRegularExpression::MultilineOption)),
                 qPrintable(trained.out));
        const nlohmann::json run = RunDirectory::open(runDir.toStdString()).readRunJson();
        QCOMPARE(run["method"].get<std::string>(), std::string("dpo"));
        QCOMPARE(run["options"]["learning_rate"].get<double>(), 1e-3);
        QCOMPARE(run["options"]["weight_decay"].get<double>(), 0.01); // DPO's default
        QCOMPARE(run["dpo"]["beta"].get<double>(), 0.1);

        Gpt policy = loadModelFolder(model).model, reference = loadModelFolder(model).model;
        policy->train();
        reference->eval();
        torch::optim::AdamW adamw(policy->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
        const std::vector<Entry> train = splitDataset(entries_).train;
        const std::vector<Encoded> trainPairs = encodeAsTheNotebook(train, tokenizer_);
        for (int step = 0; step < 3; ++step) {
            adamw.zero_grad();
            const NotebookBatch b = collateAsTheNotebook({trainPairs.begin() + step * 4, trainPairs.begin() + step * 4 + 4}, 256);
            lossAsTheNotebook(b, policy, reference, 0.1).loss.backward();
            adamw.step();
        }
        policy->eval();
        const std::vector<Encoded> all = encodeAsTheNotebook(entries_, tokenizer_);
        double loss = 0, chosen = 0, rejected = 0;
        {
            torch::NoGradGuard noGrad;
            for (int i = 0; i < 3; ++i) {
                const NotebookLoss b =
                    lossAsTheNotebook(collateAsTheNotebook({all.begin() + i * 8, all.begin() + i * 8 + 8}, 256), policy, reference, 0.1);
                loss += b.loss.item<double>() / 3;
                chosen += b.chosenReward.item<double>() / 3;
                rejected += b.rejectedReward.item<double>() / 3;
            }
        }
        const auto evaluated = test::runStudio({"eval-loss", "--method", "dpo", "--model", runDir + "/checkpoints/final",
                                                "--reference", modelDir, "--data", QString::fromStdString(data_),
                                                "--batch-size", "8", "--max-batches", "3"});
        QVERIFY2(evaluated.exitCode == 0, qPrintable(evaluated.err));
        const QStringList words = evaluated.out.trimmed().split(' ');
        QCOMPARE(words.size(), 8);
        QCOMPARE(words[0], QString("loss"));
        QCOMPARE(words[2], QString("chosen_reward"));
        QCOMPARE(words[4], QString("rejected_reward"));
        QCOMPARE(words[6], QString("margin"));
        const double got[] = {words[1].toDouble(), words[3].toDouble(), words[5].toDouble(), words[7].toDouble()};
        const double want[] = {loss, chosen, rejected, chosen - rejected};
        qInfo("eval-loss: %s; the notebook's loop here: loss %.6f chosen_reward %.6f rejected_reward %.6f margin %.6f",
              qPrintable(evaluated.out.trimmed()), want[0], want[1], want[2], want[3]);
        for (int i = 0; i < 4; ++i)
            QVERIFY2(close(got[i], want[i], 2e-3), qPrintable(evaluated.out + " vs " + QString::number(want[i], 'g', 9)));
        QVERIFY(std::abs(want[3]) > 1e-3); // three steps at this rate move the rewards apart
        QVERIFY(loss < std::log(2.0));
    }

    // LoRA: the reference is the model under the adapters, switched off; the first step's loss
    // is ln 2 to the bit, only adapters change, and checkpoints hold the adapters alone.
    void loraTrainsAdaptersAgainstTheBase()
    {
        const std::string model = test::makeTinyModelFolder(tmp_.filePath("lora-model"));
        TrainInputs inputs{loadModelFolder(model), loadTokenizer(model), loadDataset(data_, BadEntries::Refuse, EntryFields::Preference)};
        const torch::Tensor before = inputs.model.model->h[0]->as<BlockImpl>()->attn->c_attn->weight.clone();
        TrainOptions options = TrainOptions::defaultsFor("dpo");
        options.lora.emplace();
        options.learningRate = 1e-2;
        options.batchSize = 4;
        options.maxSteps = 4;
        options.evalFreq = 2;
        options.evalIter = 1;
        options.sampleTokens = 0;
        options.precision = "fp32";
        test::Recorder recorder;
        const std::string runDir = tmp_.filePath("lora-run").toStdString();
        train(inputs, options, runDir, recorder);
        QCOMPARE(int(recorder.steps.size()), 4);
        QCOMPARE(float(recorder.steps[0].loss), float(std::log(2.0)));
        QVERIFY(recorder.steps[3].rewards && recorder.steps[3].rewards->margin() != 0);
        QVERIFY(recorder.evals[0].valRewards.has_value());
        QVERIFY(torch::equal(inputs.model.model->h[0]->as<BlockImpl>()->attn->c_attn->weight, before));
        const RunDirectory run = RunDirectory::open(runDir);
        QVERIFY(!fileExists(run.checkpointPath("final") + "/model.safetensors"));
        QVERIFY(fileExists(run.checkpointPath("final") + "/adapter_model.safetensors"));
        QVERIFY(QString::fromStdString(run.readRunJson()["dpo"]["reference"].get<std::string>()).contains("without the LoRA adapters"));
    }

    // Two micro-batches of 2 pairs make the step one batch of 4 makes: the same losses and
    // rewards, the later steps' after the same updates (each micro-batch weighs by its share of
    // the pairs). Weights are not compared: Adam magnifies float noise in near-zero gradients.
    void accumulationEqualsOneBatch()
    {
        const std::string model = test::makeTinyModelFolder(tmp_.filePath("accumulation-model"));
        std::vector<std::vector<StepPoint>> runs;
        for (const int64_t accumulation : {int64_t(1), int64_t(2)}) {
            TrainInputs inputs{loadModelFolder(model), loadTokenizer(model),
                               loadDataset(data_, BadEntries::Refuse, EntryFields::Preference)};
            TrainOptions options = TrainOptions::defaultsFor("dpo");
            options.batchSize = 4 / accumulation;
            options.gradAccumulation = accumulation;
            options.learningRate = 1e-3;
            options.maxSteps = 3;
            options.shuffle = false;
            options.evalFreq = 100;
            options.evalIter = 1;
            options.sampleTokens = 0;
            options.precision = "fp32";
            test::Recorder recorder;
            train(inputs, options, tmp_.filePath("accumulate-" + QString::number(accumulation)).toStdString(), recorder);
            runs.push_back(recorder.steps);
        }
        QCOMPARE(runs[0].size(), size_t(3));
        QCOMPARE(runs[1].size(), size_t(3));
        for (size_t i = 0; i < 3; ++i) {
            QVERIFY2(close(runs[0][i].loss, runs[1][i].loss, 1e-5), qPrintable(QString::number(runs[1][i].loss)));
            QVERIFY(close(runs[0][i].rewards->margin(), runs[1][i].rewards->margin(), 1e-3));
        }
    }

    // Instruction data is not preference data: DPO names the entry and what it lacks; a
    // reference model that is not there is named, and neither run leaves a folder.
    void instructionDataIsRefused()
    {
        const std::string chapter = test::writeChapterSlice(tmp_.filePath("chapter.json"), 20);
        try {
            loadDataset(chapter, BadEntries::Refuse, EntryFields::Preference);
            QFAIL("instruction data loaded as preference data");
        } catch (const DatasetError& e) {
            QVERIFY2(QString(e.what()).contains("entry 0: field 'chosen' is missing"), e.what());
        }
        const Dataset skipped = loadDataset(chapter, BadEntries::Skip, EntryFields::Instruction);
        QVERIFY(!skipped.preferences);
        const auto cli = test::runStudio({"train", "--method", "dpo", "--model", tmp_.filePath("model"), "--data",
                                          QString::fromStdString(chapter), "--out", tmp_.filePath("refused")});
        QVERIFY(cli.exitCode != 0);
        QVERIFY2(cli.err.contains("no usable entry") && cli.err.contains("'chosen'"), qPrintable(cli.err));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("refused")));

        const auto noReference = test::runStudio({"train", "--method", "dpo", "--model", tmp_.filePath("model"), "--data",
                                                  QString::fromStdString(data_), "--out", tmp_.filePath("no-reference"),
                                                  "--reference", tmp_.filePath("missing-model")});
        QVERIFY(noReference.exitCode != 0);
        QVERIFY2(noReference.err.contains("missing-model"), qPrintable(noReference.err));
        QVERIFY(!QFileInfo::exists(tmp_.filePath("no-reference")));
    }
};

QTEST_GUILESS_MAIN(TestDpo)
#include "test_dpo.moc"
