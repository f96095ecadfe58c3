// The Evaluate view driven through its widgets, offscreen: answers generated with a tiny model
// appear a batch at a time and are saved as the run's responses file, equal to the core's
// respond(); a cancelled job keeps its answers in the journal and the next one continues from
// them (or discards them when the settings changed); an existing file reloads; the detail pane
// marks the words a hand-written answer removed and added. A model picked while the view is
// shown loads in the background, and answering twice with it loads it once.

#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/util/files.h"
#include "core/util/jsonl_journal.h"
#include "core/generate/generation_settings.h"
#include "core/generate/responder.h"
#include "core/judge/judge_settings.h"
#include "core/generate/responses_file.h"
#include "core/generate/responses_journal.h"
#include "core/io/model_folder.h"
#include "core/jobs/loaded_models.h"
#include "core/train/run_directory.h"
#include "tests/support/model_fixture.h"
#include "tests/support/setting_widgets.h"
#include "tests/support/test_support.h"
#include "tests/support/widget_lookup.h"
#include "ui/workers/answer_worker.h"
#include "ui/views/checkpoint_picker.h"
#include "ui/views/diff_html.h"
#include "ui/views/evaluate_view.h"
#include "ui/studio_state.h"

#include <torch/torch.h>

#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QTextBrowser>
#include <QtTest>

using namespace sft;
using namespace sft::ui;

namespace {

constexpr int kJobTimeoutMs = 120000;

QString shared(const char* relative) { return QString::fromStdString(test::sharedPath(relative)); }

// The text of the fragments drawn on `background`, one string per fragment.
QStringList markedWords(const QTextBrowser* pane, const QColor& background)
{
    QStringList words;
    for (QTextBlock block = pane->document()->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it)
            if (it.fragment().charFormat().background().color() == background)
                words << it.fragment().text();
    return words;
}

struct Harness {
    explicit Harness(StudioState* state) : view(state) {}
    EvaluateView view;
    template <class T>
    T* get(const char* name)
    {
        return sft::test::namedChild<T>(&view, name);
    }
    QTableView* table() { return get<QTableView>("responsesTable"); }
    int rows() { return table()->model()->rowCount(); }
    QString cell(int row, int column) { return table()->model()->index(row, column).data().toString(); }
    bool idle() { return get<QPushButton>("generateButton")->isEnabled(); }
    AnswerWorker* worker() { return view.findChild<AnswerWorker*>(); }
    void generate(int maxTokens, int batchSize)
    {
        get<QSpinBox>("maxNewTokens")->setValue(maxTokens);
        get<QSpinBox>("batchSize")->setValue(batchSize);
        QTest::mouseClick(get<QPushButton>("generateButton"), Qt::LeftButton);
    }
};

// What the worker told the view: answers kept and discarded at the start, and batch sizes.
struct AnswerLog {
    explicit AnswerLog(AnswerWorker* worker)
    {
        QObject::connect(worker, &AnswerWorker::loaded, worker, [this](const std::vector<ResponseRow>&, int k, int d) {
            kept = k;
            discarded = d;
        });
        QObject::connect(worker, &AnswerWorker::answered, worker,
                         [this](const std::vector<int>& rows, const QStringList&) { batches << int(rows.size()); });
    }
    int kept = -1;
    int discarded = -1;
    QList<int> batches;
};

} // namespace

class TestGuiEvaluate : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString dataset_;
    std::vector<Entry> testSplit_;

    // respond()'s answers for the test split, as a responses file holds them (bytes that are not
    // UTF-8, which a tiny random model emits, become U+FFFD there).
    std::vector<std::string> expectedAnswers(const QString& checkpoint, int maxTokens, int batchSize)
    {
        LoadedModel loaded = loadModelFolder(checkpoint.toStdString());
        GenerationOptions options;
        options.maxNewTokens = maxTokens;
        options.batchSize = batchSize;
        const std::string file = dir_.filePath("expected.json").toStdString();
        finishResponses(file, respond(loaded.model, loadTokenizer(checkpoint.toStdString()), PromptTemplate::alpaca(),
                                      testSplit_, options));
        return loadResponses(file, "model_response").answers;
    }

    // A run folder whose final checkpoint is the tiny model.
    QString makeRun(const QString& name)
    {
        const QString run = dir_.filePath(name);
        RunDirectory::create(run.toStdString()).writeRunJson({{"options", {{"template", "alpaca"}}}});
        test::makeTinyModelFolder(run + "/checkpoints/final");
        return run;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        // The chapter's first 100 entries: 85 train, 10 test, 5 validation.
        dataset_ = QString::fromStdString(test::writeChapterSlice(dir_.filePath("data.json"), 100));
        const Dataset chapter = loadDataset(test::sharedPath("data/instruction-data.json"));
        testSplit_.assign(chapter.entries.begin() + 85, chapter.entries.begin() + 95);
    }

    // Evaluate's generation fields and its judge panel's sampling fields are rows of the tables
    // that `respond` and `score` make their flags from.
    void settingsComeFromTheTables()
    {
        StudioState state;
        EvaluateView view(&state);
        for (const auto& settings : {settingsWithFlags(generationSettings().infos(), {"max-new-tokens", "batch-size"}),
                                     settingsWithFlags(judgeSettings().infos(), {"samples", "temperature"})}) {
            QCOMPARE(settings.size(), size_t(2));
            const QString problem = test::settingWidgetProblem(&view, settings);
            QVERIFY2(problem.isEmpty(), qPrintable(problem));
        }
    }

    void answersAppearPerBatchAndAreSavedInTheRun()
    {
        StudioState state;
        state.setDatasetPath(dataset_);
        const QString run = makeRun("run");
        state.setRunPath(run);
        const QString checkpoint = run + "/checkpoints/final";
        Harness h(&state);
        QCOMPARE(h.get<QComboBox>("checkpointPicker")->currentData().toString(), checkpoint);
        QCOMPARE(h.get<QComboBox>("splitCombo")->currentText(), QString("test"));

        AnswerLog log(h.worker());
        h.generate(8, 3);
        QVERIFY(!h.idle());
        QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
        QCOMPARE(log.batches, QList<int>({3, 3, 3, 1})); // 10 test entries, batches of 3
        QCOMPARE(log.kept, 0);

        const QString file = run + "/responses-final.json";
        QCOMPARE(h.view.shownFile(), file);
        QVERIFY(!QFileInfo::exists(file + ".journal.jsonl"));
        const Responses saved = loadResponses(file.toStdString(), "model_response");
        QCOMPARE(int(saved.answers.size()), 10);
        const std::vector<std::string> expected = expectedAnswers(checkpoint, 8, 8);
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(saved.dataset.entries[size_t(i)].instruction, testSplit_[size_t(i)].instruction);
            QCOMPARE(saved.answers[size_t(i)], expected[size_t(i)]);
            QCOMPARE(h.cell(i, 2), QString::fromStdString(saved.answers[size_t(i)]).replace('\n', ' '));
        }

        // A new view on the same run shows the saved answers of the chosen checkpoint.
        Harness again(&state);
        QCOMPARE(again.view.shownFile(), file);
        QCOMPARE(again.rows(), 10);
        QCOMPARE(again.cell(9, 1), QString::fromStdString(testSplit_[9].output).replace('\n', ' '));
    }

    // Cancelled twice: the second job, with another answer length, discards the first one's
    // answers; the third, with the second's settings, continues from the second one's.
    // One policy for invalid entries in both front ends: the answers are made for the usable
    // entries, and the view says which were skipped, as `respond` does on stderr.
    void skippedEntriesAreReported()
    {
        nlohmann::json entries = nlohmann::json::parse(readFile(dataset_.toStdString()));
        entries[2]["instruction"] = 7;
        const QString withBadEntry = dir_.filePath("bad-entry.json");
        writeFileAtomic(withBadEntry.toStdString(), entries.dump());
        StudioState state;
        state.setDatasetPath(withBadEntry);
        const QString run = makeRun("bad-entry-run");
        state.setRunPath(run);
        Harness h(&state);
        h.generate(2, 8);
        QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
        const QString status = h.get<QLabel>("statusLabel")->text();
        QVERIFY2(status.startsWith("Wrote ") && status.contains("skipped") && status.contains("instruction"),
                 qPrintable(status));
        QCOMPARE(h.rows(), 9); // the test split of the 99 usable entries: int(99 * 0.1)
    }

    void cancelledAnswersAreKeptAndContinued()
    {
        StudioState state;
        state.setDatasetPath(dataset_);
        const QString run = makeRun("cancelled-run");
        state.setRunPath(run);
        const QString file = run + "/responses-final.json";
        const QString journal = file + ".journal.jsonl";
        Harness h(&state);
        const auto cancelAfterFirstBatch = [&](AnswerLog& log) {
            QTRY_VERIFY_WITH_TIMEOUT(!log.batches.isEmpty(), kJobTimeoutMs);
            QTest::mouseClick(h.get<QPushButton>("cancelButton"), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
            QVERIFY2(log.batches.size() < 10, "the job finished before it could be cancelled");
            QVERIFY(!QFileInfo::exists(file));
            QVERIFY(h.view.shownFile().isEmpty());
            QVERIFY(h.get<QLabel>("statusLabel")->text().contains("They are kept"));
        };
        // A job cancelled after its first batch; the answers its journal kept, -1 after a failed check.
        const auto cancelledJob = [&](AnswerLog& log, int maxTokens) {
            h.generate(maxTokens, 1);
            cancelAfterFirstBatch(log);
            return QTest::currentTestFailed() ? -1 : int(JsonlJournal(journal.toStdString()).items().size());
        };

        AnswerLog first(h.worker());
        const int firstKept = cancelledJob(first, 150);
        QVERIFY(firstKept >= 1);
        QCOMPARE(firstKept, int(first.batches.size()));

        AnswerLog second(h.worker());
        const int secondKept = cancelledJob(second, 151);
        QVERIFY(secondKept >= 1);
        QCOMPARE(second.discarded, firstKept);
        QCOMPARE(second.kept, 0);

        AnswerLog third(h.worker());
        h.generate(151, 1);
        QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
        QCOMPARE(third.kept, secondKept);
        QCOMPARE(third.discarded, 0);
        QCOMPARE(int(third.batches.size()), 10);
        QCOMPARE(h.view.shownFile(), file);
        QVERIFY(!QFileInfo::exists(journal));

        const std::vector<std::string> expected = expectedAnswers(run + "/checkpoints/final", 151, 1);
        const Responses saved = loadResponses(file.toStdString(), "model_response");
        QCOMPARE(int(saved.answers.size()), 10);
        for (size_t i = 0; i < 10; ++i)
            QCOMPARE(saved.answers[i], expected[i]);
    }

    // A model picked while the view is shown loads before Generate answers is clicked; two
    // answering jobs with it (two splits, two files) use that one load.
    void pickedModelLoadsInTheBackgroundOnce()
    {
        StudioState state;
        state.setDatasetPath(dataset_);
        const QString run = makeRun("picked-run");
        state.setRunPath(run);
        const QString picked = QString::fromStdString(test::makeTinyModelFolder(dir_.filePath("picked"), 4));
        const LoadedModels& models = *state.loadedModels();
        Harness h(&state);
        h.view.show();
        h.get<CheckpointPicker>("checkpointPicker")->setCurrentPath(picked);
        QTRY_COMPARE_WITH_TIMEOUT(h.get<QLabel>("modelStateLabel")->text(), QString("picked is loaded."),
                                  kJobTimeoutMs);
        QVERIFY(models.isLoaded(picked.toStdString()));
        QCOMPARE(models.loads(), size_t(1));

        for (const char* split : {"test", "val"}) {
            h.get<QComboBox>("splitCombo")->setCurrentText(split);
            h.generate(2, 8);
            QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
            QVERIFY2(h.get<QLabel>("statusLabel")->text().startsWith("Wrote "),
                     qPrintable(h.get<QLabel>("statusLabel")->text()));
        }
        QVERIFY(QFileInfo::exists(run + "/responses-picked.json"));
        QVERIFY(QFileInfo::exists(run + "/responses-picked-val.json"));
        QCOMPARE(models.loads(), size_t(1));
    }

    void detailPaneMarksRemovedAndAddedWords()
    {
        const QString file = dir_.filePath("chosen.json");
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(R"([{"instruction": "Describe the cat.", "input": "", "output": "The cat sat\non the mat.",
                      "model_response": "The dog sat\non a mat."}])");
        out.close();
        StudioState state;
        Harness h(&state);
        QVERIFY(h.view.openResponses(file));
        QCOMPARE(h.rows(), 1);
        h.table()->setCurrentIndex(h.table()->model()->index(0, 0));
        const auto* reference = h.get<QTextBrowser>("leftText");
        const auto* answer = h.get<QTextBrowser>("rightText");
        QCOMPARE(markedWords(reference, removedBackground()), QStringList({"cat", "the"}));
        QCOMPARE(markedWords(answer, addedBackground()), QStringList({"dog", "a"}));
        QCOMPARE(markedWords(answer, removedBackground()), QStringList());
        QCOMPARE(reference->toPlainText(), QString("The cat sat\non the mat."));
        QCOMPARE(answer->toPlainText(), QString("The dog sat\non a mat."));
        QCOMPARE(h.get<QTextBrowser>("instructionText")->toPlainText(), QString("Describe the cat."));
    }

    void chapterFilesOpenWithTheirAnswerFields()
    {
        StudioState state;
        Harness h(&state);
        QVERIFY(h.view.openResponses(shared("data/instruction-data-with-response.json")));
        QCOMPARE(h.rows(), 110);
        QCOMPARE(h.cell(0, 0), QString("Rewrite the sentence using a simile. The car is very fast."));
        QCOMPARE(h.cell(0, 2), QString("The car is as fast as a bullet."));

        QVERIFY(h.view.openResponses(shared("data/ch07-extras/03_model-evaluation/eval-example-data.json")));
        auto* keys = h.get<QComboBox>("answerKeyCombo");
        QCOMPARE(keys->count(), 2);
        QCOMPARE(keys->currentText(), QString("model 1 response"));
        QCOMPARE(h.rows(), 100);
        const QString first = h.cell(0, 2);
        keys->setCurrentIndex(1);
        Q_EMIT keys->textActivated(keys->currentText());
        QVERIFY(h.cell(0, 2) != first);

        QVERIFY(!h.view.openResponses(shared("data/instruction-data.json")));
        QVERIFY(h.get<QLabel>("statusLabel")->text().contains("holds no answers"));
    }
};

QTEST_MAIN(TestGuiEvaluate)
#include "test_gui_evaluate.moc"
