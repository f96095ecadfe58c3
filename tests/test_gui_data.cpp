// The Data view driven through its widgets: the chapter file's rows and splits, filtering as
// you type against a count made here, the detail pane's coloured tokens against collate()'s
// targets, the max-length line, invalid entries, the template switch, a 50,000-entry file, and
// the chapter-7 download button online (a local stand-in server) and offline.

#include "core/data/batcher.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/files.h"
#include "tests/support/fake_hub_server.h"
#include "tests/support/fake_judge_server.h"
#include "tests/support/test_support.h"
#include "ui/views/data_view.h"
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
#include <QPushButton>
#include <QRandomGenerator>
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

#include <nlohmann/json.hpp>

using namespace sft;
using namespace sft::ui;

namespace {

constexpr int kLoadTimeoutMs = 120000;

std::string chapterFile() { return test::sharedPath("data/instruction-data.json"); }

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

QTEST_MAIN(TestGuiData)
#include "test_gui_data.moc"
