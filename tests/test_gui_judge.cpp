// Evaluate's judge panel against the stand-in judge server, driven through its widgets: the
// model list comes from /api/tags, a missing model is pulled with progress, the chapter's 110
// answers are scored into a sortable column with their statistics and histogram, Cancel keeps
// what was scored and Score continues without judging an entry twice, a server that is down is
// reported while the rest of the view keeps working, and a prompt without {response} is refused.

#include "core/data/dataset.h"
#include "core/judge/judge_prompt.h"
#include "core/generate/responses_file.h"
#include "core/judge/score_stats.h"
#include "core/judge/scores_file.h"
#include "tests/support/fake_judge_server.h"
#include "tests/support/test_support.h"
#include "tests/support/widget_lookup.h"
#include "ui/views/evaluate_view.h"
#include "ui/views/judge_panel.h"
#include "ui/views/judge_prompt_dialog.h"
#include "ui/charts/score_histogram_chart.h"
#include "ui/scores_location.h"
#include "ui/studio_state.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDirIterator>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QRegularExpression>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <set>

using namespace sft;
using namespace sft::ui;

namespace {

constexpr int kJobTimeoutMs = 120000;

// What the stand-in answers for each entry: the score it derives from the chapter prompt the
// judge is sent, and 0 for an empty answer, which is not sent at all.
std::vector<double> expectedScores(const QString& responsesFile)
{
    const Responses r = loadResponses(responsesFile.toStdString(), "model_response");
    std::vector<double> scores;
    for (size_t i = 0; i < r.answers.size(); ++i) {
        const bool blank = r.answers[i].find_first_not_of(" \t\r\n") == std::string::npos;
        scores.push_back(blank ? 0 : test::FakeJudgeServer::scoreFor(
                                         JudgePrompt::chapter().render(r.dataset.entries[i], r.answers[i])));
    }
    return scores;
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
    QString scoreCell(int row) { return table()->model()->index(row, 3).data().toString(); }
    int scoredRows()
    {
        int n = 0;
        for (int row = 0; row < table()->model()->rowCount(); ++row)
            n += !scoreCell(row).isEmpty();
        return n;
    }
    bool judgeIdle() { return get<QPushButton>("refreshModelsButton")->isEnabled(); }
    QString judgeStatus() { return get<QLabel>("judgeStatus")->text(); }
    QString serverText() { return get<QLabel>("judgeServerLabel")->text(); }
    void useServer(const std::string& url)
    {
        auto* edit = get<QLineEdit>("judgeUrlEdit");
        edit->setText(QString::fromStdString(url));
        Q_EMIT edit->editingFinished();
    }
    void click(const char* button) { QTest::mouseClick(get<QPushButton>(button), Qt::LeftButton); }
};

} // namespace

class TestGuiJudge : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    test::FakeJudgeServer server_;

    // The chapter's 110 test answers, copied where the scores may be written beside them.
    QString responsesCopy(const QString& name)
    {
        const QString path = dir_.filePath(name);
        QFile::remove(path);
        if (!QFile::copy(QString::fromStdString(test::sharedPath("data/instruction-data-with-response.json")), path))
            return {};
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!test::sharedAvailable())
            QSKIP("../shared is missing");
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir_.filePath("settings"));
        qputenv("XDG_CONFIG_HOME", dir_.filePath("xdg-config").toUtf8()); // where remembered keys go
        QVERIFY(server_.listen());
    }

    void init()
    {
        QSettings().clear(); // each test starts from the defaults, not from the last one's choices
        server_.setModels({"llama3:latest", "phi3:mini"});
        server_.setFaults({});
        server_.setRequiredApiKey({});
    }

    void modelListComesFromTheServer()
    {
        StudioState state;
        Harness h(&state);
        h.useServer(server_.url());
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle() && h.serverText().contains("2 models"), kJobTimeoutMs);
        auto* models = h.get<QComboBox>("judgeModelCombo");
        QCOMPARE(models->count(), 2);
        QCOMPARE(models->itemText(0), QString("llama3:latest"));
        QCOMPARE(models->itemText(1), QString("phi3:mini"));
        QCOMPARE(models->currentText(), QString("llama3")); // the chapter's name, which finds llama3:latest
        QVERIFY(!h.serverText().contains("does not have"));

        models->setCurrentText("mistral");
        h.click("refreshModelsButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle() && h.serverText().contains("does not have 'mistral'"), kJobTimeoutMs);
    }

    void pullShowsProgressAndAddsTheModel()
    {
        server_.setPullable({"mistral"});
        StudioState state;
        Harness h(&state);
        h.useServer(server_.url());
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        h.get<QComboBox>("judgeModelCombo")->setCurrentText("mistral");
        QList<int> shown; // the progress bar's values: half, then all of the 4.7 GB layer
        connect(h.get<QProgressBar>("judgeProgress"), &QProgressBar::valueChanged, this, [&](int v) { shown << v; });
        h.click("pullButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeStatus().contains("Pulled mistral"), kJobTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle() && h.serverText().contains("3 models"), kJobTimeoutMs);
        QVERIFY(h.get<QComboBox>("judgeModelCombo")->findText("mistral:latest") >= 0);
        QVERIFY2(shown.contains(500) && shown.contains(1000), qPrintable(QString::number(shown.size())));

        h.get<QComboBox>("judgeModelCombo")->setCurrentText("not-in-the-registry");
        h.click("pullButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeStatus().startsWith("Pull failed"), kJobTimeoutMs);
        QVERIFY2(h.judgeStatus().contains("file does not exist"), qPrintable(h.judgeStatus()));
    }

    void scoresFillASortableColumnWithTheirStatistics()
    {
        const QString responses = responsesCopy("responses-final.json");
        const std::vector<double> expected = expectedScores(responses);
        StudioState state;
        Harness h(&state);
        h.useServer(server_.url());
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        QVERIFY(h.view.openResponses(responses));
        QCOMPARE(h.scoredRows(), 0);
        h.click("scoreButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        QVERIFY2(h.judgeStatus().startsWith("Judged 110 answers now, 0 kept"), qPrintable(h.judgeStatus()));

        for (int row = 0; row < 110; ++row)
            QCOMPARE(h.scoreCell(row).toDouble(), expected[size_t(row)]);
        std::vector<std::optional<double>> asOptional(expected.begin(), expected.end());
        const ScoreStats stats = scoreStats(asOptional);
        const QString summary = h.get<QLabel>("scoreSummary")->text();
        QVERIFY2(summary.contains(QStringLiteral("Scored 110 of 110: mean <b>%1</b> (95% CI %2–%3)")
                                      .arg(stats.mean, 0, 'f', 1)
                                      .arg(stats.ciLow, 0, 'f', 1)
                                      .arg(stats.ciHigh, 0, 'f', 1)),
                 qPrintable(summary));
        QList<double> bins(10, 0);
        for (double s : expected)
            bins[std::min(9, int(s) / 10)] += 1;
        QCOMPARE(h.get<ScoreHistogramChart>("scoreHistogram")->counts(), bins);

        // Sorting by the score column puts the best-scored answer first.
        h.table()->sortByColumn(3, Qt::DescendingOrder);
        QCOMPARE(h.scoreCell(0).toDouble(), *std::max_element(expected.begin(), expected.end()));
        h.table()->sortByColumn(3, Qt::AscendingOrder);
        QCOMPARE(h.scoreCell(0).toDouble(), *std::min_element(expected.begin(), expected.end()));

        const QString file = scoresPathFor(responses, "model_response", "llama3", "chapter");
        QCOMPARE(QFileInfo(file).fileName(), QString("scores-final-llama3-chapter.json"));
        const StoredScores stored = loadStoredScores(file.toStdString());
        QCOMPARE(stored.entries.size(), size_t(110));
        QCOMPARE(stored.setup.model, std::string("llama3"));

        // Reopening the answers shows their scores with no server at all.
        server_.close();
        Harness again(&state);
        QVERIFY(again.view.openResponses(responses));
        QCOMPARE(again.scoredRows(), 110);
        QCOMPARE(again.scoreCell(5).toDouble(), expected[5]);
        QVERIFY(again.judgeStatus().contains("scores-final-llama3-chapter.json"));
        QVERIFY(server_.listen(server_.port()));
    }

    void cancelKeepsScoresAndScoreContinuesWithoutRepeats()
    {
        const QString responses = responsesCopy("responses-cancelled.json");
        StudioState state;
        Harness h(&state);
        h.useServer(server_.url());
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        QVERIFY(h.view.openResponses(responses));
        test::FakeJudgeFaults slow;
        slow.firstByteDelayMs = 40;
        server_.setFaults(slow);
        h.click("scoreButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.scoredRows() >= 5, kJobTimeoutMs);
        h.click("judgeCancelButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        const int kept = h.scoredRows();
        QVERIFY2(kept < 110, "scoring finished before it could be cancelled");
        QVERIFY2(h.judgeStatus().startsWith(QStringLiteral("Stopped. %1 of 110 scores are saved").arg(kept)),
                 qPrintable(h.judgeStatus()));

        server_.setFaults({});
        h.click("scoreButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        QVERIFY2(h.judgeStatus().startsWith(QStringLiteral("Judged %1 answers now, %2 kept").arg(110 - kept).arg(kept)),
                 qPrintable(h.judgeStatus()));
        QCOMPARE(h.scoredRows(), 110);
        const std::vector<double> expected = expectedScores(responses);
        for (int row = 0; row < 110; ++row)
            QCOMPARE(h.scoreCell(row).toDouble(), expected[size_t(row)]);

        // The journal holds each entry once: none was judged twice, none lost.
        QFile journal(QString::fromStdString(
            journalPathFor(scoresPathFor(responses, "model_response", "llama3", "chapter").toStdString())));
        QVERIFY(journal.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = journal.readAll().trimmed().split('\n');
        std::multiset<size_t> indices;
        for (qsizetype i = 1; i < lines.size(); ++i)
            indices.insert(nlohmann::json::parse(lines[i].toStdString()).at("index").get<size_t>());
        QCOMPARE(indices.size(), size_t(110));
        QCOMPARE(std::set<size_t>(indices.begin(), indices.end()).size(), size_t(110));
    }

    // The key lives in the panel for the session: not in the settings, the scores or their journal.
    void anApiKeyIsSentButNeverWritten()
    {
        const QString key = "s3cret-panel-key";
        server_.setRequiredApiKey(key);
        const QString responses = responsesCopy("responses-keyed.json");
        StudioState state;
        Harness h(&state);
        auto* api = h.get<QComboBox>("judgeApiCombo");
        api->setCurrentIndex(api->findData("openai"));
        h.get<QLineEdit>("judgeApiKeyEdit")->setText(key);
        h.useServer(server_.url());
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        QVERIFY(h.view.openResponses(responses));
        h.click("scoreButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        QVERIFY2(h.judgeStatus().startsWith("Judged 110 answers now"), qPrintable(h.judgeStatus()));
        QCOMPARE(server_.lastAuthorization(), "Bearer " + key.toUtf8());
        QSettings().sync();
        QStringList written;
        QDirIterator it(dir_.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            QVERIFY(file.open(QIODevice::ReadOnly));
            QVERIFY2(!file.readAll().contains(key.toUtf8()), qPrintable(file.fileName()));
            written << QFileInfo(file).fileName();
        }
        QVERIFY2(!written.filter(QRegularExpression("^scores-keyed-.*\\.json$")).isEmpty() &&
                     !written.filter(QRegularExpression("\\.ini$")).isEmpty(),
                 qPrintable(written.join(", ")));
    }

    // Remember keeps the key for its server address in an owner-only file; another address gets
    // an empty field (the key is not sent where it was not meant to go); unticking forgets it.
    void aRememberedKeyIsPrivateAndStaysWithItsServer()
    {
        const QString key = "s3cret-remembered-key";
        const QString store = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + "/judge-api-keys.json";
        QVERIFY(store.startsWith(dir_.path()));
        const auto useOpenAi = [](Harness& h) {
            auto* api = h.get<QComboBox>("judgeApiCombo");
            api->setCurrentIndex(api->findData("openai"));
            Q_EMIT api->activated(api->currentIndex());
        };
        {
            StudioState state;
            Harness h(&state);
            useOpenAi(h);
            h.useServer(server_.url());
            QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
            h.get<QLineEdit>("judgeApiKeyEdit")->setText(key);
            QTest::mouseClick(h.get<QCheckBox>("rememberKeyCheck"), Qt::LeftButton);
        }
        QVERIFY(QFileInfo::exists(store));
        QCOMPARE(QFile::permissions(store) & (QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther),
                 QFile::Permissions());
        QFile stored(store);
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QVERIFY(stored.readAll().contains(key.toUtf8()));

        StudioState state;
        Harness h(&state);
        auto* edit = h.get<QLineEdit>("judgeApiKeyEdit");
        auto* remember = h.get<QCheckBox>("rememberKeyCheck");
        QCOMPARE(edit->text(), key);
        QVERIFY(remember->isChecked());
        h.useServer("http://127.0.0.1:1");
        QVERIFY(edit->text().isEmpty());
        QVERIFY(!remember->isChecked());
        h.useServer(server_.url());
        QCOMPARE(edit->text(), key);
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        QTest::mouseClick(remember, Qt::LeftButton);
        QVERIFY(!remember->isChecked());
        stored.close();
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QVERIFY(!stored.readAll().contains(key.toUtf8()));
    }

    void aMissingModelIsNamedWithTheChoices()
    {
        const QString responses = responsesCopy("responses-missing.json");
        StudioState state;
        Harness h(&state);
        h.useServer(server_.url());
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        QVERIFY(h.view.openResponses(responses));
        h.get<QComboBox>("judgeModelCombo")->setCurrentText("gemma");
        h.click("scoreButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle(), kJobTimeoutMs);
        const QString status = h.judgeStatus();
        QVERIFY2(status.contains("model 'gemma' is not available on " + QString::fromStdString(server_.url())),
                 qPrintable(status));
        QVERIFY2(status.contains("llama3:latest") && status.contains("phi3:mini"), qPrintable(status));
        QCOMPARE(h.scoredRows(), 0);
    }

    void noServerIsSaidPlainlyAndTheViewKeepsWorking()
    {
        quint16 closedPort = 0;
        {
            test::FakeJudgeServer gone;
            QVERIFY(gone.listen());
            closedPort = gone.port();
        }
        StudioState state;
        Harness h(&state);
        h.useServer("http://127.0.0.1:" + std::to_string(closedPort));
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle() && h.serverText().startsWith("No judge server answers"), kJobTimeoutMs);
        QVERIFY(h.serverText().contains("ollama serve"));
        QVERIFY(h.view.openResponses(responsesCopy("responses-offline.json")));
        QCOMPARE(h.table()->model()->rowCount(), 110);
        QVERIFY(h.get<QPushButton>("generateButton")->isEnabled());
        h.click("scoreButton");
        QTRY_VERIFY_WITH_TIMEOUT(h.judgeIdle() && h.judgeStatus().startsWith("Scoring stopped"), kJobTimeoutMs);
        QVERIFY2(h.judgeStatus().contains("is the judge server running"), qPrintable(h.judgeStatus()));
        QVERIFY(h.get<QPushButton>("generateButton")->isEnabled());
    }

    void aPromptWithoutTheAnswerFieldIsRefused()
    {
        JudgePromptDialog dialog(JudgePrompt::chapter());
        auto* text = sft::test::namedChild<QPlainTextEdit>(&dialog, "promptText");
        QCOMPARE(text->toPlainText().toStdString(), JudgePrompt::chapter().text());
        dialog.accept();
        QCOMPARE(dialog.result()->name(), std::string("chapter"));

        JudgePromptDialog edited(JudgePrompt::chapter());
        auto* editedText = sft::test::namedChild<QPlainTextEdit>(&edited, "promptText");
        editedText->setPlainText("Score this from 0 to 100: {prompt}");
        edited.accept();
        QVERIFY(!edited.result());
        QVERIFY(sft::test::namedChild<QLabel>(&edited, "promptProblem")->text().contains("no {response} field"));
        editedText->setPlainText("Score {response} against {output} from 0 to 100.");
        edited.accept();
        QCOMPARE(edited.result()->name(), std::string("custom"));
        QCOMPARE(edited.result()->text(), std::string("Score {response} against {output} from 0 to 100."));
    }
};

QTEST_MAIN(TestGuiJudge)
#include "test_gui_judge.moc"
