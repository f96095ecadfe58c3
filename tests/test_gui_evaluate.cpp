// The Evaluate view driven through its widgets, offscreen: answers generated with a tiny model
// appear a batch at a time and are saved as the run's responses file, equal to the core's
// respond(); a cancelled job leaves no file; an existing file reloads; the detail pane marks the
// words a hand-written answer removed and added.

#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/eval/responder.h"
#include "core/eval/responses_file.h"
#include "core/io/model_folder.h"
#include "core/train/run_directory.h"
#include "tests/support/model_fixture.h"
#include "tests/support/test_support.h"
#include "tests/support/widget_lookup.h"
#include "ui/diff_html.h"
#include "ui/evaluate_view.h"
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
};

} // namespace

class TestGuiEvaluate : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString dataset_;
    std::vector<Entry> testSplit_;

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
        h.get<QSpinBox>("batchSizeSpin")->setValue(3);
        h.get<QSpinBox>("maxTokensSpin")->setValue(8);

        QList<int> inserted;
        connect(h.table()->model(), &QAbstractItemModel::rowsInserted, this,
                [&](const QModelIndex&, int first, int last) { inserted << last - first + 1; });
        QTest::mouseClick(h.get<QPushButton>("generateButton"), Qt::LeftButton);
        QVERIFY(!h.idle());
        QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
        QCOMPARE(inserted, QList<int>({3, 3, 3, 1})); // 10 test entries, batches of 3

        const QString file = run + "/responses-final.json";
        QCOMPARE(h.view.shownFile(), file);
        const Responses saved = loadResponses(file.toStdString(), "model_response");
        QCOMPARE(int(saved.answers.size()), 10);
        LoadedModel loaded = loadModelFolder(checkpoint.toStdString());
        GenerationOptions options;
        options.maxNewTokens = 8;
        const nlohmann::json expected =
            respond(loaded.model, loadTokenizer(checkpoint.toStdString()), PromptTemplate::alpaca(), testSplit_, options);
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(saved.dataset.entries[size_t(i)].instruction, testSplit_[size_t(i)].instruction);
            QCOMPARE(QString::fromStdString(saved.answers[size_t(i)]), QString::fromStdString(expected[size_t(i)]["model_response"].get<std::string>()));
            QCOMPARE(h.cell(i, 2), QString::fromStdString(saved.answers[size_t(i)]).replace('\n', ' '));
        }

        // A new view on the same run shows the saved answers of the chosen checkpoint.
        Harness again(&state);
        QCOMPARE(again.view.shownFile(), file);
        QCOMPARE(again.rows(), 10);
        QCOMPARE(again.cell(9, 1), QString::fromStdString(testSplit_[9].output).replace('\n', ' '));
    }

    void cancelLeavesNoFile()
    {
        StudioState state;
        state.setDatasetPath(dataset_);
        const QString run = makeRun("cancelled-run");
        state.setRunPath(run);
        Harness h(&state);
        h.get<QSpinBox>("batchSizeSpin")->setValue(1);
        h.get<QSpinBox>("maxTokensSpin")->setValue(150);
        QTest::mouseClick(h.get<QPushButton>("generateButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() >= 1, kJobTimeoutMs);
        QTest::mouseClick(h.get<QPushButton>("cancelButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(h.idle(), kJobTimeoutMs);
        QVERIFY2(h.rows() < 10, "the job finished before it could be cancelled");
        QVERIFY(!QFileInfo::exists(run + "/responses-final.json"));
        QVERIFY(QDir(run).entryList({"*.json*"}, QDir::Files) == QStringList({"run.json"}));
        QVERIFY(h.get<QLabel>("statusLabel")->text().contains("no file was written"));
        QVERIFY(h.view.shownFile().isEmpty());
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
