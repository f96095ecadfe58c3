// The Data view driven through its widgets: the chapter file's rows and splits, filtering as
// you type against a count made here, the detail pane's coloured tokens against collate()'s
// targets, the max-length line, invalid entries, the template switch, a 50,000-entry file, and
// the chapter-7 download button online (a local stand-in server) and offline. Editing: undo,
// redo, save keeping every untouched entry's bytes, the autosave after a kill -9, filters and
// the histogram's range, the duplicates panel, import and generation, Evaluate's link to an entry.

#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/dataset_autosave.h"
#include "core/data/dataset_document.h"
#include "core/data/dataset_import.h"
#include "core/data/near_duplicates.h"
#include "core/data/prompt_template.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/files.h"
#include "tests/support/fake_hub_server.h"
#include "tests/support/fake_judge_server.h"
#include "tests/support/test_support.h"
#include "ui/views/data_view.h"
#include "ui/views/duplicates_panel.h"
#include "ui/views/evaluate_view.h"
#include "ui/views/main_window.h"
#include "ui/models/dataset_editor.h"
#include "ui/models/dataset_table_model.h"
#include "ui/remembered_judge.h"
#include "ui/workers/job_runner.h"
#include "ui/charts/length_histogram_chart.h"
#include "ui/studio_state.h"
#include "ui/views/token_view.h"

#include <torch/torch.h>

#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRandomGenerator>
#include <QTableWidget>
#include <QToolButton>
#include <QUndoStack>
#include <QSpinBox>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QSignalSpy>
#include <QTextBlock>
#include <QTextBrowser>
#include <QToolTip>
#include <QHeaderView>
#include <QtTest>
#include <QApplication>
#include <QMessageBox>

#include <cstdio>

#include <nlohmann/json.hpp>

using namespace sft;
using namespace sft::ui;

namespace {

constexpr int kLoadTimeoutMs = 120000;

std::string chapterFile() { return test::sharedPath("data/instruction-data.json"); }

// The chapter's first n entries, written as the chapter writes its file (json.dump, indent 4).
QString chapterSlice(const QTemporaryDir& dir, const QString& name, size_t n)
{
    const nlohmann::ordered_json all = nlohmann::ordered_json::parse(readFile(chapterFile()));
    const QString path = dir.filePath(name);
    DatasetDocument::fromItems({all.begin(), all.begin() + std::ptrdiff_t(n)}).saveAs(path.toStdString());
    return path;
}

// What the child process the kill test kills prints once its edit is autosaved.
constexpr const char* kEditedLine = "edited and autosaved";
constexpr const char* kKilledEdit = "An answer typed just before the app was killed.";

// What the detail pane shows for one token, read from the document's formats.
struct Span {
    qlonglong id = -1;
    TokenRole role = TokenRole::Trained;
    QColor background;
    QString toolTip;
};

std::vector<Span> spansOf(const TokenView* view)
{
    std::vector<Span> spans;
    for (QTextBlock block = view->document()->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextCharFormat format = it.fragment().charFormat();
            if (!format.hasProperty(TokenView::TokenPositionProperty))
                continue;
            const auto position = size_t(format.property(TokenView::TokenPositionProperty).toLongLong());
            if (position >= spans.size())
                spans.resize(position + 1);
            spans[position] = {format.property(TokenView::TokenIdProperty).toLongLong(),
                               TokenRole(format.property(TokenView::TokenRoleProperty).toInt()),
                               format.background().color(), format.toolTip()};
        }
    return spans;
}

// Entries of the chapter file as the test reads them itself.
QJsonArray chapterJson()
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(readFile(chapterFile()))).array();
}

int independentMatchCount(const QJsonArray& entries, const QString& query)
{
    int count = 0;
    for (const QJsonValue& value : entries) {
        const QJsonObject e = value.toObject();
        for (const char* field : {"instruction", "input", "output"})
            if (e.value(field).toString().contains(query, Qt::CaseInsensitive)) {
                ++count;
                break;
            }
    }
    return count;
}

// The view with its widgets found by name.
struct Harness {
    StudioState state;
    DataView view{&state};
    QTableView* table = view.findChild<QTableView*>("entryTable");
    QLineEdit* search = view.findChild<QLineEdit*>("searchBox");
    TokenView* tokens = view.findChild<TokenView*>("tokenView");
    QSpinBox* maxLength = view.findChild<QSpinBox*>("maxLengthSpin");
    QSpinBox* batchWidth = view.findChild<QSpinBox*>("batchWidthSpin");
    QCheckBox* mask = view.findChild<QCheckBox*>("maskPromptCheck");
    QComboBox* templates = view.findChild<QComboBox*>("templateCombo");
    LengthHistogramChart* histogram = view.findChild<LengthHistogramChart*>("lengthHistogram");
    QLabel* status = view.findChild<QLabel*>("dataStatus");

    bool tokenized() const
    {
        const QAbstractItemModel* m = table->model();
        return m->rowCount() > 0 && m->index(0, DatasetTableModel::TokensColumn).data().isValid();
    }
    int rows() const { return table->model()->rowCount(); }
    QString label(const char* name) const { return view.findChild<QLabel*>(name)->text(); }
    QString cell(int fileRow, int column) const
    {
        const QAbstractItemModel* m = table->model();
        for (int r = 0; r < m->rowCount(); ++r)
            if (m->index(r, DatasetTableModel::IndexColumn).data().toInt() == fileRow)
                return m->index(r, column).data(Qt::EditRole).toString();
        return "(no such row)";
    }
    bool modified() const { return view.editor()->isModified(); }
    void click(const char* name) const
    {
        auto* button = view.findChild<QAbstractButton*>(name);
        QVERIFY2(button, name);
        button->click();
    }
    // Types into the entry editor's field and applies it, as a person does.
    void edit(int fileRow, const char* field, const QString& text) const
    {
        select(fileRow);
        view.findChild<QPlainTextEdit*>(QString(field) + "Edit")->setPlainText(text);
        click("applyEntryButton");
    }
    void select(int fileRow) const
    {
        const QAbstractItemModel* m = table->model();
        for (int r = 0; r < m->rowCount(); ++r)
            if (m->index(r, DatasetTableModel::IndexColumn).data().toInt() == fileRow) {
                table->setCurrentIndex(m->index(r, 0));
                return;
            }
        QFAIL("row not shown");
    }
};

} // namespace

class TestGuiData : public QObject {
    Q_OBJECT

private:
    QTemporaryDir home_;
    Tokenizer tokenizer_;

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        QVERIFY(home_.isValid());
        qputenv("XDG_CACHE_HOME", home_.filePath("cache").toUtf8());
        qputenv("XDG_CONFIG_HOME", home_.filePath("config").toUtf8());
        qputenv("SFT_TOKENIZER_DIR", test::sharedPath("data/gpt2-tokenizer").c_str());
        tokenizer_ = Tokenizer::fromDirectory(test::sharedPath("data/gpt2-tokenizer"));
    }

    void chapterRowsAndSplits()
    {
        Harness h;
        h.state.setDatasetPath(QString::fromStdString(chapterFile()));
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        QCOMPARE(h.rows(), 1100);
        // Chapter 7: 85% train, 10% test, the rest validation, in file order.
        QCOMPARE(h.label("trainCount"), QLocale().toString(935));
        QCOMPARE(h.label("testCount"), QLocale().toString(110));
        QCOMPARE(h.label("valCount"), QLocale().toString(55));
        const QAbstractItemModel* m = h.table->model();
        QCOMPARE(m->index(934, DatasetTableModel::SplitColumn).data().toString(), QString("train"));
        QCOMPARE(m->index(935, DatasetTableModel::SplitColumn).data().toString(), QString("test"));
        QCOMPARE(m->index(1045, DatasetTableModel::SplitColumn).data().toString(), QString("val"));
        QCOMPARE(h.view.findChild<QListWidget*>("invalidEntries")->count(), 0);
        // Row 0's token count: the README's figures are for the full text without end-of-text.
        const PromptTemplate alpaca = PromptTemplate::alpaca();
        const Dataset data = loadDataset(chapterFile());
        QCOMPARE(m->index(0, DatasetTableModel::TokensColumn).data().toLongLong(),
                 qlonglong(tokenizer_.encode(alpaca.full(data.entries[0])).size()));
    }

    void searchFiltersAsYouType()
    {
        Harness h;
        h.state.setDatasetPath(QString::fromStdString(chapterFile()));
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 1100, kLoadTimeoutMs);
        const QJsonArray entries = chapterJson();
        QTest::keyClicks(h.search, "senten");
        QCOMPARE(h.rows(), independentMatchCount(entries, "senten"));
        QTest::keyClicks(h.search, "ce");
        const int sentence = independentMatchCount(entries, "sentence");
        QCOMPARE(h.rows(), sentence);
        QVERIFY(sentence > 0 && sentence < 1100);
        QCOMPARE(h.label("rowCount"),
                 QString("%1 of %2 entries").arg(QLocale().toString(sentence), QLocale().toString(1100)));
        h.search->clear();
        QTest::keyClicks(h.search, "PASSIVE VOICE");
        QCOMPARE(h.rows(), independentMatchCount(entries, "passive voice"));
        h.search->clear();
        QCOMPARE(h.rows(), 1100);
    }

    void tokenSpansAreCollateTargets()
    {
        Harness h;
        h.state.setDatasetPath(QString::fromStdString(chapterFile()));
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        const Dataset data = loadDataset(chapterFile());
        const PromptTemplate alpaca = PromptTemplate::alpaca();
        for (const int row : {0, 7, 1050})
            for (const bool mask : {false, true})
                for (const int maxLength : {1024, 50})
                    for (const int batchWidth : {0, 100}) {
                        h.select(row);
                        h.mask->setChecked(mask);
                        h.maxLength->setValue(maxLength);
                        h.batchWidth->setValue(batchWidth);
                        checkSpans(h, data.entries[size_t(row)], alpaca, batchWidth, maxLength, mask);
                    }
    }

    void hoverShowsTokenIdAndText()
    {
        Harness h;
        h.view.resize(1200, 800);
        h.view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&h.view));
        h.state.setDatasetPath(QString::fromStdString(chapterFile()));
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        h.select(0);
        // The Alpaca text starts with "Below", token 21106 (chapter7-facts.md).
        QTextCursor cursor(h.tokens->document());
        cursor.setPosition(2);
        const QPoint at = h.tokens->cursorRect(cursor).center();
        QHelpEvent hover(QEvent::ToolTip, at, h.tokens->viewport()->mapToGlobal(at));
        QCoreApplication::sendEvent(h.tokens->viewport(), &hover);
        QTRY_VERIFY(QToolTip::isVisible());
        QVERIFY2(QToolTip::text().contains("Token 21106") && QToolTip::text().contains("Below"),
                 qPrintable(QToolTip::text()));
    }

    void maxLengthLineAndCount()
    {
        Harness h;
        h.state.setDatasetPath(QString::fromStdString(chapterFile()));
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        const Dataset data = loadDataset(chapterFile());
        int longer = 0;
        for (const Entry& e : data.entries)
            longer += tokenizer_.encode(PromptTemplate::alpaca().full(e)).size() > 60 ? 1 : 0;
        h.maxLength->setValue(60);
        const QLineSeries* line = h.histogram->maxLengthLine();
        QCOMPARE(line->count(), 2);
        QCOMPARE(line->at(0).x(), 60.0);
        QVERIFY2(h.label("overMaxLength").startsWith(QLocale().toString(longer) + " of " + QLocale().toString(1100)),
                 qPrintable(h.label("overMaxLength")));
        QVERIFY(longer > 0);
        h.maxLength->setValue(1024);
        QCOMPARE(h.histogram->maxLengthLine()->count(), 0); // far beyond the longest entry (91)
        QVERIFY(h.label("overMaxLength").startsWith("No entry is longer"));
        // The Train view plans the run's memory for the longest entry.
        size_t longest = 0;
        for (const Entry& e : data.entries)
            longest = std::max(longest, tokenizer_.encode(PromptTemplate::alpaca().full(e)).size());
        QCOMPARE(h.state.longestExample(QString::fromStdString(chapterFile()), "alpaca"), qint64(longest));
        QCOMPARE(h.state.longestExample(QString::fromStdString(chapterFile()), "phi3"), qint64(0));
    }

    void invalidEntriesAreListedWithReasons()
    {
        const QString path = home_.filePath("mixed.json");
        writeFileAtomic(path.toStdString(), R"([
            {"instruction": "Say hi", "input": "", "output": "Hi"},
            {"instruction": "No answer"},
            {"instruction": "Numbers", "output": 42},
            "oops",
            {"instruction": "Say bye", "output": "Bye"}
        ])");
        Harness h;
        h.state.setDatasetPath(path);
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        QCOMPARE(h.rows(), 2);
        const QListWidget* invalid = h.view.findChild<QListWidget*>("invalidEntries");
        QCOMPARE(invalid->count(), 3);
        QCOMPARE(invalid->item(0)->text(), QString("entry 1: field 'output' is missing"));
        QCOMPARE(invalid->item(1)->text(), QString("entry 2: field 'output' must be text, not number"));
        QCOMPARE(invalid->item(2)->text(), QString("entry 3: is a JSON string, not an object"));
        QCOMPARE(h.table->model()->index(1, DatasetTableModel::IndexColumn).data().toInt(), 4);
    }

    // An empty output is the chapter's like any other: the entry is shown, under Warnings.
    void emptyOutputsAreWarnings()
    {
        const QString path = home_.filePath("empty-output.json");
        writeFileAtomic(path.toStdString(), R"([
            {"instruction": "Say hi", "input": "", "output": "Hi"},
            {"instruction": "Say nothing", "output": ""}
        ])");
        Harness h;
        h.state.setDatasetPath(path);
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        QCOMPARE(h.rows(), 2);
        QCOMPARE(h.view.findChild<QListWidget*>("invalidEntries")->count(), 0);
        const QListWidget* warnings = h.view.findChild<QListWidget*>("warnings");
        QCOMPARE(warnings->count(), 1);
        QCOMPARE(warnings->item(0)->text(), QString("entry 1: field 'output' is empty"));
    }

    // A preference file (DPO) shows each entry's chosen and rejected answers side by side; "Make
    // preference data" turns an instruction file into one with the judge chosen in Evaluate.
    void preferencePairsShownAndMade()
    {
        const nlohmann::json all =
            nlohmann::json::parse(readFile(test::sharedPath("data/ch07-extras/04_preference-tuning-with-dpo/"
                                                            "instruction-data-with-preference.json")));
        const QString prefs = home_.filePath("prefs.json");
        writeFileAtomic(prefs.toStdString(), nlohmann::json(all.begin(), all.begin() + 12).dump(1));
        Harness h;
        auto* pair = h.view.findChild<QWidget*>("preferencePair");
        h.state.setDatasetPath(prefs);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 12, kLoadTimeoutMs);
        QVERIFY(pair->isVisibleTo(&h.view));
        h.select(3);
        QCOMPARE(pair->findChild<QTextBrowser*>("leftText")->toPlainText(),
                 QString::fromStdString(all[3]["chosen"].get<std::string>()));
        QCOMPARE(pair->findChild<QTextBrowser*>("rightText")->toPlainText(),
                 QString::fromStdString(all[3]["rejected"].get<std::string>()));
        QVERIFY(pair->findChild<QTextBrowser*>("instructionText")->toPlainText().contains(
            QString::fromStdString(all[3]["instruction"].get<std::string>())));

        const QString sft = home_.filePath("sft1.json");
        const nlohmann::json first = nlohmann::json::array({nlohmann::json::parse(readFile(chapterFile())).at(0)});
        writeFileAtomic(sft.toStdString(), first.dump());
        test::FakeJudgeServer judge;
        QVERIFY(judge.listen());
        rememberJudge({JudgeServer{judge.url()}, "llama3"});
        h.state.setDatasetPath(sft);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 1, kLoadTimeoutMs);
        QVERIFY(!pair->isVisibleTo(&h.view));
        const QString out = home_.filePath("sft1-with-preference.json");
        QSignalSpy finished(h.view.preferenceJob(), &JobRunner::finished);
        QVERIFY(h.view.makePreferenceData(out));
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), kLoadTimeoutMs);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(h.state.datasetPath(), out, kLoadTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(pair->isVisibleTo(&h.view), kLoadTimeoutMs);
        const Dataset made = loadDataset(out.toStdString(), BadEntries::Refuse, EntryFields::Preference);
        const std::string output = made.entries[0].output;
        QVERIFY(made.entries[0].chosen == output || made.entries[0].rejected == output);
        QVERIFY(QString::fromStdString(made.entries[0].chosen + made.entries[0].rejected).contains("polite] " +
                                                                                                  QString::fromStdString(output)));
    }

    // Edits through the entry editor and the table cells, undone and redone; a save changes the
    // edited entries and no byte of the others; the split follows added entries.
    void editUndoRedoAndSave()
    {
        const QString path = chapterSlice(home_, "edit.json", 40);
        const std::string original = readFile(path.toStdString());
        const std::string before3 = loadDataset(path.toStdString()).entries[3].output;
        Harness h;
        h.state.setDatasetPath(path);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 40 && h.tokenized(), kLoadTimeoutMs);
        QVERIFY(!h.modified());

        h.edit(3, "output", "A better answer.");
        QTRY_COMPARE_WITH_TIMEOUT(h.cell(3, DatasetTableModel::OutputColumn), QString("A better answer."), kLoadTimeoutMs);
        QVERIFY(h.modified());
        QVERIFY(h.label("datasetPath").contains("modified"));
        h.click("undoButton");
        QTRY_COMPARE_WITH_TIMEOUT(h.cell(3, DatasetTableModel::OutputColumn), QString::fromStdString(before3), kLoadTimeoutMs);
        QVERIFY(!h.modified());
        QVERIFY(!findAutosave(path.toStdString())); // back to the file: no autosave to offer later
        h.click("redoButton");
        QTRY_COMPARE_WITH_TIMEOUT(h.cell(3, DatasetTableModel::OutputColumn), QString("A better answer."), kLoadTimeoutMs);

        h.select(5);
        const QModelIndex cell = h.table->currentIndex().siblingAtColumn(DatasetTableModel::InstructionColumn);
        QVERIFY(h.table->model()->setData(cell, "Edited in the table"));
        QTRY_COMPARE_WITH_TIMEOUT(h.cell(5, DatasetTableModel::InstructionColumn), QString("Edited in the table"),
                                  kLoadTimeoutMs);

        h.select(39);
        h.click("addEntryButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 41, kLoadTimeoutMs);
        QCOMPARE(h.label("trainCount"), QLocale().toString(34)); // int(41 * 0.85)
        QCOMPARE(h.table->currentIndex().siblingAtColumn(DatasetTableModel::IndexColumn).data().toInt(), 40);
        h.click("deleteEntryButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 40, kLoadTimeoutMs);
        QCOMPARE(h.view.editor()->undoStack()->count(), 4);

        h.click("saveButton");
        QVERIFY(!h.modified());
        QVERIFY(!h.label("datasetPath").contains("modified"));
        const std::string saved = readFile(path.toStdString());
        const DatasetDocument a = DatasetDocument::parse(original, "original");
        const DatasetDocument b = DatasetDocument::parse(saved, "saved");
        QCOMPARE(b.size(), a.size());
        for (size_t i = 0; i < a.size(); ++i)
            QCOMPARE(*a.item(i).raw == *b.item(i).raw, i != 3 && i != 5);
        const Dataset reread = loadDataset(path.toStdString());
        QCOMPARE(reread.entries[3].output, std::string("A better answer."));
        QCOMPARE(reread.entries[5].instruction, std::string("Edited in the table"));
        QVERIFY(!findAutosave(path.toStdString()));
    }

    // Switching to another file with unsaved edits asks; Cancel keeps the file and the edits.
    void unsavedEditsAreNeverDroppedSilently()
    {
        const QString first = chapterSlice(home_, "first.json", 10);
        const QString second = chapterSlice(home_, "second.json", 12);
        Harness h;
        QStringList asked;
        int answer = QMessageBox::Cancel;
        h.view.setUnsavedEditsQuestion([&](const QString& text) {
            asked << text;
            return answer;
        });
        h.state.setDatasetPath(first);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 10, kLoadTimeoutMs);
        h.edit(2, "instruction", "Kept through a cancelled switch");
        QTRY_VERIFY_WITH_TIMEOUT(h.modified(), kLoadTimeoutMs);
        h.state.setDatasetPath(second);
        QCOMPARE(asked.size(), 1);
        QTRY_COMPARE(h.state.datasetPath(), first);
        QTRY_COMPARE_WITH_TIMEOUT(h.cell(2, DatasetTableModel::InstructionColumn), QString("Kept through a cancelled switch"),
                                  kLoadTimeoutMs);
        QVERIFY(h.modified());
        answer = QMessageBox::Save;
        h.state.setDatasetPath(second);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 12, kLoadTimeoutMs);
        QCOMPARE(loadDataset(first.toStdString()).entries[2].instruction, std::string("Kept through a cancelled switch"));
    }

    // The app killed with kill -9 after an edit, before saving: the next start offers the
    // autosaved edit and puts it back.
    void killedAfterAnEditOffersTheAutosave()
    {
        const QString path = chapterSlice(home_, "killed.json", 20);
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("SFT_TEST_EDIT_AND_WAIT", path);
        env.insert("QT_QPA_PLATFORM", "offscreen");
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted());
        QElapsedTimer clock;
        clock.start();
        QByteArray out;
        while (!out.contains(kEditedLine) && clock.elapsed() < kLoadTimeoutMs && child.state() == QProcess::Running) {
            child.waitForReadyRead(200);
            out += child.readAllStandardOutput();
        }
        QVERIFY2(out.contains(kEditedLine), child.readAllStandardError().constData());
        child.kill(); // SIGKILL: nothing runs after it
        QVERIFY(child.waitForFinished());
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QVERIFY(loadDataset(path.toStdString()).entries[7].output != kKilledEdit);

        Harness h;
        h.state.setDatasetPath(path);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 20, kLoadTimeoutMs);
        auto* notice = h.view.findChild<QWidget*>("dataNotice");
        QTRY_VERIFY_WITH_TIMEOUT(notice->isVisibleTo(&h.view), kLoadTimeoutMs);
        h.click("notice:Restore");
        QTRY_COMPARE_WITH_TIMEOUT(h.cell(7, DatasetTableModel::OutputColumn), QString(kKilledEdit), kLoadTimeoutMs);
        QVERIFY(h.modified());
        QVERIFY(h.view.save());
        QCOMPARE(loadDataset(path.toStdString()).entries[7].output, std::string(kKilledEdit));
        QVERIFY(!findAutosave(path.toStdString()));
    }

    // Filters by split, input and length; a click on a histogram bar picks its lengths, and the
    // histogram counts what the table shows.
    void filtersAndTheHistogramsRange()
    {
        const QString path = chapterSlice(home_, "filters.json", 200);
        const Dataset data = loadDataset(path.toStdString());
        Harness h;
        h.state.setDatasetPath(path);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 200 && h.tokenized(), kLoadTimeoutMs);
        auto* split = h.view.findChild<QComboBox*>("splitFilter");
        split->setCurrentIndex(split->findText("Test"));
        QCOMPARE(h.rows(), 20); // 200 * 0.1
        split->setCurrentIndex(0);
        auto* input = h.view.findChild<QComboBox*>("inputFilter");
        input->setCurrentIndex(input->findText("Without input"));
        const auto withoutInput = std::count_if(data.entries.begin(), data.entries.end(),
                                                [](const Entry& e) { return e.input.empty(); });
        QCOMPARE(h.rows(), int(withoutInput));
        input->setCurrentIndex(0);

        const LengthHistogram full = h.histogram->histogram(); // a copy: the chart then shows the filtered rows
        const int64_t firstBin = full.firstBinStart;
        const int64_t width = full.binWidth;
        h.histogram->pickBin(QPointF(double(firstBin) + 0.5, 1));
        QCOMPARE(h.view.findChild<QSpinBox*>("minTokens")->value(), int(firstBin));
        QCOMPARE(h.view.findChild<QSpinBox*>("maxTokens")->value(), int(firstBin + width - 1));
        QCOMPARE(h.rows(), int(full.counts.front()));
        for (int r = 0; r < h.rows(); ++r) {
            const qlonglong tokens = h.table->model()->index(r, DatasetTableModel::TokensColumn).data().toLongLong();
            QVERIFY(tokens >= firstBin && tokens < firstBin + width);
        }
        int64_t shown = 0;
        for (int64_t c : h.histogram->histogram().counts)
            shown += c;
        QCOMPARE(shown, int64_t(h.rows()));
        h.click("clearFilters");
        QCOMPARE(h.rows(), 200);
    }

    // The duplicates panel lists what the core finds, shows a pair side by side, removes one
    // entry of a pair, and applies the book's rule in one undoable step.
    void duplicatesPanelFindsShowsAndRemoves()
    {
        nlohmann::ordered_json items = nlohmann::ordered_json::array();
        const auto add = [&](const char* instruction, const char* input, const char* output) {
            items.push_back({{"instruction", instruction}, {"input", input}, {"output", output}});
        };
        add("Translate the sentence into French.", "", "Je suis content.");
        add("Translate the sentence into French!", "", "Il fait beau.");
        add("Name the capital of France.", "", "The capital of France is Paris.");
        add("What is the capital city of France?", "", "The capital of France is Paris");
        add("Rewrite in passive voice.", "The cat chased the mouse.", "The mouse was chased by the cat.");
        add("Convert to passive voice.", "The cat chased the mouse.", "The mouse was chased by the cat!");
        add("Give a synonym for happy.", "", "Joyful.");
        const QString path = home_.filePath("dups.json");
        DatasetDocument::fromItems({items.begin(), items.end()}).saveAs(path.toStdString());
        const Dataset data = loadDataset(path.toStdString());
        const std::vector<NearDuplicatePair> expected = findNearDuplicates(data.entries, "all", 0.9);
        QVERIFY(expected.size() >= 3);

        Harness h;
        h.state.setDatasetPath(path);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 7, kLoadTimeoutMs);
        DuplicatesPanel* panel = h.view.duplicates();
        auto* field = panel->findChild<QComboBox*>("duplicateField");
        field->setCurrentIndex(field->findText("all"));
        QSignalSpy found(panel->job(), &JobRunner::finished);
        h.click("findDuplicatesButton");
        QTRY_VERIFY_WITH_TIMEOUT(!found.isEmpty(), kLoadTimeoutMs);
        QCOMPARE(panel->pairCount(), int(expected.size()));
        auto* pairs = panel->findChild<QTableWidget*>("duplicatePairs");
        for (int r = 0; r < pairs->rowCount(); ++r) {
            QCOMPARE(pairs->item(r, 0)->text(), QString::fromStdString(expected[size_t(r)].field));
            QCOMPARE(pairs->item(r, 1)->text().toULongLong(), qulonglong(expected[size_t(r)].i));
            QCOMPARE(pairs->item(r, 2)->text().toULongLong(), qulonglong(expected[size_t(r)].j));
        }
        pairs->setCurrentCell(0, 0);
        const auto* detail = panel->findChild<QWidget*>("duplicatePair");
        QCOMPARE(detail->findChild<QTextBrowser*>("leftText")->toPlainText(),
                 QString::fromStdString(items[expected[0].i][expected[0].field].get<std::string>()));

        QSignalSpy removed(panel->job(), &JobRunner::finished);
        h.click("removeByBookRuleButton");
        QTRY_VERIFY_WITH_TIMEOUT(!removed.isEmpty(), kLoadTimeoutMs);
        const NearDuplicateRemoval rule = removeNearDuplicates(data.entries, "all", 0.9);
        QVERIFY(!rule.removed.empty());
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == int(7 - rule.removed.size()), kLoadTimeoutMs);
        QCOMPARE(panel->pairCount(), 0); // the entries changed: the old pairs would name the wrong ones
        h.click("undoButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 7, kLoadTimeoutMs);
        QVERIFY(!h.modified());
    }

    // From Evaluate's table to the dataset entry behind an answer, and to a copy of it to write a
    // new example like it.
    void evaluateOpensTheEntryInData()
    {
        const QString data = chapterSlice(home_, "link.json", 30);
        nlohmann::ordered_json responses = nlohmann::ordered_json::parse(readFile(data.toStdString()));
        responses.erase(responses.begin(), responses.begin() + 25);
        for (auto& r : responses)
            r["model_response"] = "A weak answer.";
        const QString responsesPath = home_.filePath("link-responses.json");
        writeFileAtomic(responsesPath.toStdString(), responses.dump(4));

        MainWindow window;
        window.state()->setDatasetPath(data);
        auto* view = static_cast<DataView*>(window.view(MainWindow::View::Data));
        auto* table = view->findChild<QTableView*>("entryTable");
        QTRY_VERIFY_WITH_TIMEOUT(table->model()->rowCount() == 30, kLoadTimeoutMs);
        auto* evaluate = static_cast<EvaluateView*>(window.view(MainWindow::View::Evaluate));
        QVERIFY(evaluate->openResponses(responsesPath));
        auto* answers = evaluate->findChild<QTableView*>("responsesTable");
        answers->setCurrentIndex(answers->model()->index(2, 0));
        evaluate->findChild<QPushButton*>("editEntryButton")->click();
        QCOMPARE(window.currentView(), MainWindow::View::Data);
        QCOMPARE(table->currentIndex().siblingAtColumn(DatasetTableModel::IndexColumn).data().toInt(), 27);
        QVERIFY(view->findChild<QPlainTextEdit*>("outputEdit")->toPlainText() ==
                QString::fromStdString(responses[2]["output"].get<std::string>()));

        evaluate->findChild<QPushButton*>("addSimilarButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(table->model()->rowCount() == 31, kLoadTimeoutMs);
        QCOMPARE(table->currentIndex().siblingAtColumn(DatasetTableModel::IndexColumn).data().toInt(), 28);
        QVERIFY(view->editor()->isModified());
    }

    // Conversations imported from the view open as a new Alpaca file; entries a local model
    // generated join the dataset as the review left them, in one undoable step.
    void importAndGenerateFromTheView()
    {
        const QString chats = home_.filePath("chats.jsonl");
        writeFileAtomic(chats.toStdString(),
                        R"({"messages": [{"role": "user", "content": "Name a primary colour."}, {"role": "assistant", "content": "Red."}]}
{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}]}
)");
        Harness h;
        const QString imported = home_.filePath("chats-alpaca.json");
        QSignalSpy importedSpy(h.view.fileJob(), &JobRunner::finished);
        QVERIFY(h.view.importData(chats, imported, ImportOptions{}));
        QTRY_VERIFY_WITH_TIMEOUT(!importedSpy.isEmpty(), kLoadTimeoutMs);
        QVERIFY2(importedSpy.first().at(0).toBool(), qPrintable(importedSpy.first().at(2).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(h.state.datasetPath(), imported, kLoadTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 2, kLoadTimeoutMs);
        QCOMPARE(h.cell(1, DatasetTableModel::InstructionColumn), QString("Be brief.\n\n2+2?"));
        QCOMPARE(h.cell(0, DatasetTableModel::OutputColumn), QString("Red."));

        test::FakeJudgeServer judge;
        QVERIFY(judge.listen());
        rememberJudge({JudgeServer{judge.url()}, "llama3"});
        size_t offered = 0;
        h.view.setReviewGenerated([&](std::vector<nlohmann::ordered_json> items) {
            offered = items.size();
            items.erase(items.begin() + 1); // the second is rejected
            items[0]["output"] = "Edited in review.";
            return items;
        });
        QSignalSpy generated(h.view.fileJob(), &JobRunner::finished);
        QVERIFY(h.view.generateEntries(3, home_.filePath("chats-generated.json")));
        QTRY_VERIFY_WITH_TIMEOUT(!generated.isEmpty(), kLoadTimeoutMs);
        QVERIFY2(generated.first().at(0).toBool(), qPrintable(generated.first().at(2).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 4, kLoadTimeoutMs);
        QCOMPARE(offered, size_t(3));
        QCOMPARE(h.cell(2, DatasetTableModel::OutputColumn), QString("Edited in review."));
        QVERIFY(h.cell(2, DatasetTableModel::InstructionColumn).startsWith("Describe item"));
        QVERIFY(h.modified());
        h.click("undoButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 2, kLoadTimeoutMs);
    }

    void unreadableFileSaysWhy()
    {
        const QString path = home_.filePath("broken.json");
        writeFileAtomic(path.toStdString(), "[{\"instruction\": ");
        Harness h;
        h.state.setDatasetPath(path);
        QTRY_VERIFY_WITH_TIMEOUT(h.status->text().startsWith("Could not open the dataset"), kLoadTimeoutMs);
        QVERIFY2(h.status->text().contains("broken.json"), qPrintable(h.status->text()));
        QCOMPARE(h.rows(), 0);
    }

    void phi3TemplateRetokenizes()
    {
        Harness h;
        h.state.setDatasetPath(QString::fromStdString(chapterFile()));
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        h.templates->setCurrentIndex(h.templates->findData("phi3"));
        const Dataset data = loadDataset(chapterFile());
        const auto phi3Count = qlonglong(tokenizer_.encode(PromptTemplate::phi3().full(data.entries[0])).size());
        QTRY_COMPARE_WITH_TIMEOUT(h.table->model()->index(0, DatasetTableModel::TokensColumn).data().toLongLong(),
                                  phi3Count, kLoadTimeoutMs);
        h.select(0);
        QVERIFY2(h.tokens->toPlainText().startsWith("<|user|>"), qPrintable(h.tokens->toPlainText().left(40)));
    }

    void fiftyThousandEntries()
    {
        // Five-word sentences; about one word in 500 is "quokka".
        const QStringList words{"the", "model", "learns", "a", "short", "answer", "from", "each", "example",
                                "token", "cat", "sees", "quick", "river", "bright", "number", "letter"};
        QRandomGenerator generator(7);
        auto sentence = [&] {
            QStringList picked;
            for (int i = 0; i < 5; ++i) {
                const quint32 draw = generator.bounded(quint32(500 * words.size()));
                picked << (draw < quint32(words.size()) ? QStringLiteral("quokka") : words[int(draw % words.size())]);
            }
            return picked.join(' ');
        };
        QJsonArray entries;
        for (int i = 0; i < 50000; ++i)
            entries.append(QJsonObject{{"instruction", sentence()}, {"input", i % 3 ? QString() : sentence()},
                                       {"output", sentence()}});
        const QString path = home_.filePath("fifty-thousand.json");
        writeFileAtomic(path.toStdString(), QJsonDocument(entries).toJson(QJsonDocument::Compact).toStdString());

        Harness h;
        h.view.resize(1200, 800);
        h.view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&h.view));
        QElapsedTimer clock;
        clock.start();
        h.state.setDatasetPath(path);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 50000, kLoadTimeoutMs);
        const qint64 loadMs = clock.elapsed();
        const QString query = "quokka";
        clock.restart();
        qint64 slowestKeyMs = 0;
        for (const QChar c : query) {
            QElapsedTimer key;
            key.start();
            QTest::keyClick(h.search, c.toLatin1());
            QCoreApplication::processEvents(); // the table repaints
            slowestKeyMs = std::max(slowestKeyMs, key.elapsed());
        }
        const qint64 filterMs = clock.elapsed();
        const int expected = independentMatchCount(entries, query);
        QCOMPARE(h.rows(), expected);
        QVERIFY(expected > 0 && expected < 50000);
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        const qint64 tokenizedMs = loadMs + clock.elapsed();

        h.search->clear();
        clock.restart();
        const QHeaderView* header = h.table->horizontalHeader();
        const int tokensX = header->sectionViewportPosition(DatasetTableModel::TokensColumn) + 5;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(tokensX, 5));
        QCoreApplication::processEvents();
        const qint64 sortMs = clock.elapsed();
        const QAbstractItemModel* m = h.table->model();
        QCOMPARE(m->rowCount(), 50000);
        for (int r = 1; r < m->rowCount(); r += 97)
            QVERIFY(m->index(r - 1, DatasetTableModel::TokensColumn).data().toLongLong() <=
                    m->index(r, DatasetTableModel::TokensColumn).data().toLongLong());
        qInfo("50,000 entries: table shown after %lld ms, tokenized after %lld ms; typing \"%s\" filtered to %d rows "
              "in %lld ms (slowest keystroke %lld ms); sorting by token count took %lld ms",
              loadMs, tokenizedMs, qPrintable(query), expected, filterMs, slowestKeyMs, sortMs);
    }

    void chapterDatasetButtonDownloadsOnce()
    {
        test::FakeHubServer server;
        server.addFile("rasbt/LLMs-from-scratch", "instruction-data.json",
                       QByteArray::fromStdString(readFile(chapterFile())), false);
        QTemporaryDir cache;
        qputenv("XDG_CACHE_HOME", cache.path().toUtf8());
        qputenv("SFT_CHAPTER_DATASET_URL",
                (server.endpoint() + "/rasbt/LLMs-from-scratch/resolve/main/instruction-data.json").toUtf8());
        Harness h;
        QTest::mouseClick(h.view.findChild<QPushButton*>("fetchChapterButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(h.rows() == 1100, kLoadTimeoutMs);
        QCOMPARE(h.state.datasetPath(), cache.filePath("sft-studio/datasets/instruction-data.json"));
        QCOMPARE(sha256OfFile(h.state.datasetPath().toStdString()),
                 std::string("7e09a9af353722ca15c18bc580f093f9c39d3178335a75177319cb1e1d163944"));
        qputenv("XDG_CACHE_HOME", home_.filePath("cache").toUtf8());
    }

    // With no network and no tokenizer anywhere on the machine, the button still gives the
    // chapter's dataset (the bundled copy, the book's bytes), tokenized with the bundled GPT-2
    // tokenizer: tokens in the pane and a filled histogram.
    void chapterDatasetButtonWorksOffline()
    {
        QTemporaryDir cache;
        qputenv("XDG_CACHE_HOME", cache.path().toUtf8());
        qunsetenv("SFT_TOKENIZER_DIR");
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        qputenv("SFT_CHAPTER_DATASET_URL",
                QStringLiteral("http://127.0.0.1:%1/instruction-data.json").arg(closed.serverPort()).toUtf8());
        closed.close();
        Harness h;
        QTest::mouseClick(h.view.findChild<QPushButton*>("fetchChapterButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(h.tokenized(), kLoadTimeoutMs);
        QCOMPARE(h.rows(), 1100);
        QCOMPARE(sha256OfFile(h.state.datasetPath().toStdString()),
                 std::string("7e09a9af353722ca15c18bc580f093f9c39d3178335a75177319cb1e1d163944"));
        QVERIFY2(h.status->text().contains("bundled with SFT Studio") && h.status->text().contains("could not download"),
                 qPrintable(h.status->text()));
        h.select(0);
        QTRY_VERIFY(h.tokens->toPlainText().contains("Evaluate the following phrase"));
        QVERIFY(h.histogram->outline()->count() > 0);
        qputenv("SFT_TOKENIZER_DIR", test::sharedPath("data/gpt2-tokenizer").c_str());
        qputenv("XDG_CACHE_HOME", home_.filePath("cache").toUtf8());
    }

private:
    // The pane's spans for `entry` against collate() of the entry in a batch whose longest
    // example has `batchWidth` tokens (a filler example of that length).
    void checkSpans(const Harness& h, const Entry& entry, const PromptTemplate& tmpl, int batchWidth, int maxLength,
                    bool mask)
    {
        const std::vector<Example> examples = tokenizeEntries({entry}, tmpl, tokenizer_);
        const Example& example = examples.front();
        const Example filler{std::vector<int64_t>(size_t(batchWidth), 1), 0};
        CollateOptions options;
        options.allowedMaxLength = maxLength;
        options.maskPrompt = mask;
        const Batch batch = collate({&example, &filler}, options);
        const int64_t kept = batch.targets.size(1);
        const size_t width = std::max(example.ids.size(), size_t(batchWidth));

        const std::vector<Span> spans = spansOf(h.tokens);
        QCOMPARE(spans.size(), width + 1);
        for (size_t k = 0; k < spans.size(); ++k) {
            const Span& span = spans[k];
            const qlonglong id = k < example.ids.size() ? example.ids[k] : 50256;
            QCOMPARE(span.id, id);
            QVERIFY2(span.toolTip.contains(QString::number(id)), qPrintable(span.toolTip));
            QCOMPARE(span.background, TokenView::roleColor(span.role, k % 2 == 1));
            if (int64_t(k) > kept) {
                QCOMPARE(span.role, TokenRole::CutOff);
                continue;
            }
            const bool trained = k > 0 && batch.targets[0][int64_t(k) - 1].item<int64_t>() != -100;
            QCOMPARE(span.role == TokenRole::Trained, trained);
            if (!trained && k > example.ids.size())
                QCOMPARE(span.role, TokenRole::Padding);
        }
        // The text shown is the template's text, then the end-of-text and padding.
        QString shown = h.tokens->toPlainText();
        shown.remove(QChar(0x21b5));
        const QString full = QString::fromStdString(tmpl.full(entry));
        QVERIFY(shown.startsWith(full));
        QCOMPARE(shown.mid(full.size()), QString("<|endoftext|>").repeated(int(width + 1 - example.ids.size())));
    }
};

// The app the kill test kills: opens the file, edits entry 7 as a person does, waits for the
// autosave, says so and waits to be killed.
int editAndWaitToBeKilled(int argc, char** argv, const QString& path)
{
    QApplication app(argc, argv);
    StudioState state;
    DataView view(&state);
    state.setDatasetPath(path);
    auto* table = view.findChild<QTableView*>("entryTable");
    QElapsedTimer clock;
    clock.start();
    while (table->model()->rowCount() == 0 && clock.elapsed() < kLoadTimeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    table->setCurrentIndex(table->model()->index(7, 0));
    view.findChild<QPlainTextEdit*>("outputEdit")->setPlainText(kKilledEdit);
    view.findChild<QAbstractButton*>("applyEntryButton")->click();
    while (!fileExists(autosavePathFor(path.toStdString())) && clock.elapsed() < kLoadTimeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    std::printf("%s\n", kEditedLine);
    std::fflush(stdout);
    return app.exec();
}

int main(int argc, char** argv)
{
    if (const QString path = qEnvironmentVariable("SFT_TEST_EDIT_AND_WAIT"); !path.isEmpty())
        return editAndWaitToBeKilled(argc, argv, path);
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    TestGuiData test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_gui_data.moc"
