// The Playground view driven through its widgets, offscreen: the prompt shown is the chapter's
// Alpaca text, the answer streams in over several redraws and ends equal to generate()'s decoded
// output (greedy), a second checkpoint answers beside the first, and Stop ends a long answer.
// The chosen models load in the background while the view is shown, and stay loaded.

#include "core/generate/generation_settings.h"
#include "core/generate/generator.h"
#include "core/io/model_folder.h"
#include "core/jobs/loaded_models.h"
#include "tests/support/model_fixture.h"
#include "tests/support/setting_widgets.h"
#include "tests/support/test_support.h"
#include "tests/support/widget_lookup.h"
#include "ui/views/checkpoint_picker.h"
#include "ui/views/playground_view.h"
#include "ui/workers/playground_worker.h"
#include "ui/studio_state.h"

#include <torch/torch.h>

#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

using namespace sft;
using namespace sft::ui;

namespace {

constexpr int kJobTimeoutMs = 120000;

const QString kAlpacaHead = "Below is an instruction that describes a task. Write a response that appropriately "
                            "completes the request.\n\n### Instruction:\n";

struct Harness {
    explicit Harness(StudioState* state) : view(state) {}
    PlaygroundView view;
    template <class T>
    T* get(const char* name)
    {
        return sft::test::namedChild<T>(&view, name);
    }
    QPlainTextEdit* text(const char* name) { return get<QPlainTextEdit>(name); }
    bool idle() { return get<QPushButton>("generateButton")->isEnabled(); }
    void generate() { QTest::mouseClick(get<QPushButton>("generateButton"), Qt::LeftButton); }
};

} // namespace

class TestGuiPlayground : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString modelA_, modelB_;
    Tokenizer tokenizer_;

    QString makeModel(const char* name, unsigned seed)
    {
        return QString::fromStdString(test::makeTinyModelFolder(dir_.filePath(name), seed));
    }

    // What the core gives for the prompt, greedy, decoded whole.
    QString expectedAnswer(const QString& model, const QString& prompt, int maxNewTokens)
    {
        LoadedModel loaded = loadModelFolder(model.toStdString());
        const std::vector<int> ids = tokenizer_.encode(prompt.toStdString());
        GenerationOptions options;
        options.maxNewTokens = maxNewTokens;
        const std::vector<int64_t> added =
            generate(loaded.model, {std::vector<int64_t>(ids.begin(), ids.end())}, options).front();
        return QString::fromStdString(tokenizer_.decode(std::vector<int>(added.begin(), added.end())));
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        tokenizer_ = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
        modelA_ = makeModel("model-a", 1);
        modelB_ = makeModel("model-b", 2);
    }

    // The decoding fields are the generation settings' rows: the defaults, ranges and help of
    // `sft-studio generate`.
    void decodingSettingsComeFromTheTable()
    {
        StudioState state;
        PlaygroundView view(&state);
        const auto settings =
            settingsWithFlags(generationSettings().infos(), {"max-new-tokens", "temperature", "top-k", "seed"});
        QCOMPARE(settings.size(), size_t(4));
        const QString problem = test::settingWidgetProblem(&view, settings);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void promptIsTheTemplateText()
    {
        StudioState state;
        Harness h(&state);
        h.text("instructionEdit")->setPlainText("Name the capital of France.");
        QCOMPARE(h.text("promptText")->toPlainText(), kAlpacaHead + "Name the capital of France.");
        h.text("inputEdit")->setPlainText("Answer in one word.");
        QCOMPARE(h.text("promptText")->toPlainText(),
                 kAlpacaHead + "Name the capital of France.\n\n### Input:\nAnswer in one word.");
    }

    void answerStreamsAndEndsAsGenerateDecodes()
    {
        StudioState state;
        state.setModelPath(modelA_);
        Harness h(&state);
        h.text("instructionEdit")->setPlainText("Rewrite the sentence using a simile.");
        h.text("inputEdit")->setPlainText("The car is very fast.");
        h.get<QSpinBox>("maxNewTokens")->setValue(150);
        auto* worker = h.view.findChild<PlaygroundWorker*>();
        QVERIFY(worker);
        QSignalSpy grew(worker, &PlaygroundWorker::answerGrew);
        QStringList shown;
        QPlainTextEdit* answer = h.text("answerText");
        connect(answer, &QPlainTextEdit::textChanged, this, [&] {
            if (!answer->toPlainText().isEmpty())
                shown << answer->toPlainText();
        });
        h.generate();
        QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);

        const QString expected = expectedAnswer(modelA_, h.view.promptText(), 150);
        QVERIFY(!expected.isEmpty());
        QCOMPARE(answer->toPlainText(), expected);
        // The worker streams token by token; the view redraws at most every 40 ms, so how often
        // depends on the machine's speed, but every redraw extends the one before.
        QVERIFY2(grew.size() >= 3, qPrintable(QString("only %1 pieces streamed").arg(grew.size())));
        QVERIFY(!shown.isEmpty());
        for (int i = 1; i < shown.size(); ++i)
            QVERIFY2(shown[i].startsWith(shown[i - 1]) && shown[i].size() > shown[i - 1].size(),
                     qPrintable(QString("redraw %1 does not extend the one before").arg(i)));
        QCOMPARE(h.get<QLabel>("statusLabel")->text(), QString("Done."));
    }

    void secondCheckpointAnswersBesideTheFirst()
    {
        StudioState state;
        state.setModelPath(modelA_);
        Harness h(&state);
        h.get<CheckpointPicker>("compareWithPicker")->setCurrentPath(modelB_);
        h.text("instructionEdit")->setPlainText("What is the opposite of hot?");
        h.get<QSpinBox>("maxNewTokens")->setValue(20);
        h.generate();
        QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
        const QString prompt = h.view.promptText();
        QCOMPARE(h.text("answerText")->toPlainText(), expectedAnswer(modelA_, prompt, 20));
        QCOMPARE(h.text("secondAnswerText")->toPlainText(), expectedAnswer(modelB_, prompt, 20));
        QVERIFY(h.text("answerText")->toPlainText() != h.text("secondAnswerText")->toPlainText());
        QVERIFY(h.text("secondAnswerText")->isVisibleTo(&h.view));
    }

    // Shown, the view loads its model before Generate is clicked, and a model picked to compare
    // with too; answering twice with them loads neither again.
    void chosenModelsLoadInTheBackgroundOnce()
    {
        StudioState state;
        state.setModelPath(modelA_);
        const LoadedModels& models = *state.loadedModels();
        Harness h(&state);
        auto* status = h.get<QLabel>("statusLabel");
        QCOMPARE(models.loads(), size_t(0));
        h.view.show();
        QTRY_COMPARE_WITH_TIMEOUT(status->text(), QString("model-a is loaded."), kJobTimeoutMs);
        QVERIFY(models.isLoaded(modelA_.toStdString()));
        h.get<CheckpointPicker>("compareWithPicker")->setCurrentPath(modelB_);
        QTRY_COMPARE_WITH_TIMEOUT(status->text(), QString("model-b is loaded."), kJobTimeoutMs);
        QVERIFY(models.isLoaded(modelB_.toStdString()));
        QCOMPARE(models.loads(), size_t(2));

        h.text("instructionEdit")->setPlainText("What is the opposite of hot?");
        h.get<QSpinBox>("maxNewTokens")->setValue(5);
        QSignalSpy waitedForALoad(h.view.findChild<PlaygroundWorker*>(), &PlaygroundWorker::loading);
        for (int run = 0; run < 2; ++run) {
            h.generate();
            QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
            QCOMPARE(status->text(), QString("Done."));
        }
        QCOMPARE(models.loads(), size_t(2));
        QCOMPARE(waitedForALoad.count(), 0);
        QCOMPARE(h.text("answerText")->toPlainText(), expectedAnswer(modelA_, h.view.promptText(), 5));
    }

    void stopEndsALongAnswer()
    {
        StudioState state;
        state.setModelPath(modelA_);
        Harness h(&state);
        h.text("instructionEdit")->setPlainText("Write a long story.");
        h.get<QSpinBox>("maxNewTokens")->setValue(4096);
        h.generate();
        QTRY_VERIFY_WITH_TIMEOUT(!h.text("answerText")->toPlainText().isEmpty(), kJobTimeoutMs);
        QTest::mouseClick(h.get<QPushButton>("stopButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(h.idle(), 10000);
        QCOMPARE(h.get<QLabel>("statusLabel")->text(), QString("Stopped."));
        QVERIFY(!h.text("answerText")->toPlainText().isEmpty());
    }
};

QTEST_MAIN(TestGuiPlayground)
#include "test_gui_playground.moc"
