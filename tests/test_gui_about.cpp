// Help > About shows what `sft-studio --version` prints: version and commit, LibTorch, Qt,
// BLAS and threads.

#include "core/train/version_text.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"
#include "ui/studio_state.h"
#include "ui/theme.h"
#include "ui/workers/job_runner.h"
#include "ui/views/main_window.h"

#include <QAbstractAxis>
#include <QAbstractButton>
#include <QLabel>
#include <QAction>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QMenuBar>
#include <QPushButton>
#include <QScopeGuard>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QMessageBox>
#include <QSet>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTimer>
#include <QtTest>

#include <torch/version.h>

#include <functional>

using namespace sft;

class TestGuiAbout : public QObject {
    Q_OBJECT
    QTemporaryDir settings_;

    // The text of the message box the menu item `text` opens.
    static QString messageOf(const QWidget& window, const QString& text)
    {
        QAction* item = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == text)
                item = action;
        if (!item)
            return "no menu item " + text;
        return messageDuring([item] { item->trigger(); });
    }

    // The text of the message box `act` opens (closed again at once).
    static QString messageDuring(const std::function<void()>& act)
    {
        QString shown;
        QTimer::singleShot(100, [&] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                shown = box->text();
                box->accept();
            }
        });
        act();
        return shown;
    }

private Q_SLOTS:
    void initTestCase()
    {
        // A window of the default size, not the size a developer's last session left.
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings_.path());
    }

    // At the default window size every view is readable: the Train form without a horizontal
    // scrollbar and its Start button in sight, Evaluate's Score column and all of Data's
    // columns within their tables.
    void viewsFitTheDefaultWindow()
    {
        ui::MainWindow window;
        QCOMPARE(window.size(), QSize(1280, 800));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // No view is wider than the window leaves it: the window keeps its size when shown.
        const auto* stack = window.findChild<QStackedWidget*>();
        for (int i = 0; i < stack->count(); ++i)
            QVERIFY2(stack->widget(i)->minimumSizeHint().width() <= stack->width(),
                     qPrintable(QString("view %1 needs %2 px").arg(i).arg(stack->widget(i)->minimumSizeHint().width())));
        QCOMPARE(window.size(), QSize(1280, 800));

        window.showView(ui::MainWindow::View::Train);
        auto* start = window.findChild<QPushButton*>("start");
        QVERIFY(start);
        QTRY_VERIFY(start->isVisible());
        const QRect startArea(start->mapTo(&window, QPoint(0, 0)), start->size());
        QVERIFY2(window.rect().contains(startArea), qPrintable(QString("Start at %1,%2").arg(startArea.x()).arg(startArea.bottom())));
        auto* form = start->parentWidget()->findChild<QScrollArea*>();
        QVERIFY(form);
        QVERIFY(!form->horizontalScrollBar()->isVisible());

        window.showView(ui::MainWindow::View::Evaluate);
        auto* responses = window.findChild<QTableView*>("responsesTable");
        QTRY_VERIFY(responses->isVisible());
        const int score = responses->model()->columnCount() - 1;
        QVERIFY(responses->columnWidth(score) > 0);
        QVERIFY(responses->columnViewportPosition(score) + responses->columnWidth(score) <= responses->viewport()->width());

        window.showView(ui::MainWindow::View::Data);
        window.openPath(QString::fromStdString(test::sharedPath("data/instruction-data.json")));
        auto* entries = window.findChild<QTableView*>("entryTable");
        QTRY_VERIFY_WITH_TIMEOUT(entries->isVisible() && entries->model()->rowCount() == 1100, 60000);
        const int last = entries->model()->columnCount() - 1;
        QVERIFY(entries->columnViewportPosition(last) + entries->columnWidth(last) <= entries->viewport()->width());
    }

    // The empty app says what to do next and links there, one step after another: dataset,
    // model (the chapter's, with what it needs), train, answers, judge; nothing once scored.
    void theEmptyAppSaysWhatToDoNext()
    {
        QTemporaryDir dir;
        ui::MainWindow window;
        auto* bar = window.findChild<QWidget*>("nextStepBar");
        auto* step = window.findChild<QLabel*>("nextStep");
        QVERIFY(bar && step);
        const auto says = [&](const QString& words) {
            return !bar->isHidden() && step->text().contains(words);
        };
        QVERIFY2(says("1. Data"), qPrintable(step->text()));
        Q_EMIT step->linkActivated(QString::number(int(ui::MainWindow::View::Models)));
        QCOMPARE(window.currentView(), ui::MainWindow::View::Models);
        window.state()->setDatasetPath(QString::fromStdString(test::sharedPath("data/instruction-data.json")));
        QVERIFY2(says("2. Model") && says("gpt2-medium") && says(" GB of memory"), qPrintable(step->text()));
        window.state()->setModelPath(dir.filePath("model"));
        QVERIFY(says("3. Train"));
        const QString run = dir.filePath("run");
        QDir().mkpath(run);
        writeFileAtomic((run + "/run.json").toStdString(), R"({"status": "finished"})");
        window.state()->setRunPath(run);
        QVERIFY(says("4. Answers"));
        writeFileAtomic((run + "/responses-final.json").toStdString(), "[]");
        Q_EMIT window.state()->jobsChanged();
        QVERIFY(says("5. Judge"));
        writeFileAtomic((run + "/scores-final-judge-chapter.json").toStdString(), "{}");
        Q_EMIT window.state()->jobsChanged();
        QVERIFY(bar->isHidden());
    }

    // A job reports how long it ran and how it ended; one that ran a while and ended while the
    // window was not in front is announced, a short one is not.
    void aLongJobEndingWhileAwayIsAnnounced()
    {
        ui::MainWindow window; // never shown: not the active window
        ui::JobRunner job("Training", window.state());
        QSignalSpy over(window.state(), &ui::StudioState::jobOver);
        QVERIFY(job.start([] { QThread::msleep(50); }));
        QTRY_COMPARE(over.size(), 1);
        QCOMPARE(over[0][0].toString(), QString("Training"));
        QVERIFY(over[0][1].toDouble() >= 0.05);
        QCOMPARE(over[0][2].toString(), QString("finished"));
        QVERIFY(window.lastAnnouncement().isEmpty());
        window.announceJobEnd("Training", 3725, "finished");
        QCOMPARE(window.lastAnnouncement(), QString("Training: finished after 1:02:05"));
    }

    // Every chart of every view takes the theme's colours, and again when the theme changes while
    // the app runs: no white box in the dark theme.
    void chartsFollowTheTheme()
    {
        ui::MainWindow window;
        const auto charts = window.findChildren<QChartView*>();
        QVERIFY(charts.size() >= 5); // Train (2), Data, Evaluate, Compare
        const auto restore = qScopeGuard([] { ui::applyTheme(ui::Theme::Light); });
        for (const ui::Theme theme : {ui::Theme::Dark, ui::Theme::Light}) {
            ui::applyTheme(theme);
            const QPalette palette = QApplication::palette();
            QCOMPARE(palette.color(QPalette::Base).lightness() < 128, theme == ui::Theme::Dark);
            for (QChartView* view : charts) {
                QChart* chart = view->chart();
                QCOMPARE(chart->backgroundBrush().color(), palette.color(QPalette::Base));
                QCOMPARE(chart->titleBrush().color(), palette.color(QPalette::Text));
                QCOMPARE(chart->legend()->labelColor(), palette.color(QPalette::Text));
                for (const QAbstractAxis* axis : chart->axes())
                    QCOMPARE(axis->labelsColor(), palette.color(QPalette::Text));
            }
        }
    }

    // Opening (or dropping) a file that cannot be a dataset is refused with a message at once;
    // a dataset opens in the Data view.
    void aNonDatasetFileIsRefused()
    {
        ui::MainWindow window;
        window.show();
        const QString image = settings_.filePath("photo.png");
        sft::writeFileAtomic(image.toStdString(), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
        const QString shown = messageDuring([&] { window.openPath(image); });
        QVERIFY2(shown.contains("photo.png is not a dataset"), qPrintable(shown));
        QVERIFY(window.state()->datasetPath().isEmpty());

        const QString lines = settings_.filePath("data.jsonl");
        sft::writeFileAtomic(lines.toStdString(), "\xEF\xBB\xBF {\"instruction\": \"Say hi\", \"input\": \"\", \"output\": \"Hi\"}\n");
        window.openPath(lines);
        QCOMPARE(window.state()->datasetPath(), lines);
    }

    void aboutShowsTheVersionText()
    {
        ui::MainWindow window;
        window.show();
        const QString shown = messageOf(window, "&About SFT Studio");

        const QString expected = QString::fromStdString(versionText());
        QVERIFY2(shown.contains(expected.toHtmlEscaped()), qPrintable(shown));
        QVERIFY(expected.contains("LibTorch " TORCH_VERSION "\n"));
        QVERIFY(expected.contains("Qt " + QString(qVersion()) + "\n"));
        QVERIFY(expected.contains("\nBLAS /"));
        QVERIFY(expected.contains("\nThreads "));
    }

    // A key does one thing wherever it is pressed: the window's actions and the shown view's
    // buttons never share one (Qt ignores an ambiguous key), and Help lists them all.
    void eachShortcutDoesOneThing()
    {
        ui::MainWindow window;
        window.show();
        QStringList windowKeys;
        for (const QAction* action : window.menuBar()->findChildren<QAction*>())
            if (!action->shortcut().isEmpty())
                windowKeys << action->shortcut().toString();
        QCOMPARE(QSet<QString>(windowKeys.begin(), windowKeys.end()).size(), windowKeys.size());
        const auto* stack = window.findChild<QStackedWidget*>();
        QVERIFY(stack && stack->count() >= 6);
        int viewButtons = 0;
        for (int i = 0; i < stack->count(); ++i) {
            QStringList keys = windowKeys;
            for (const QAbstractButton* button : stack->widget(i)->findChildren<QAbstractButton*>())
                if (!button->shortcut().isEmpty()) {
                    keys << button->shortcut().toString();
                    ++viewButtons;
                }
            QCOMPARE(QSet<QString>(keys.begin(), keys.end()).size(), keys.size());
        }
        QVERIFY(viewButtons >= 3);

        const QString shown = messageOf(window, "&Keyboard shortcuts");
        QVERIFY2(shown.contains("Train: Start") && shown.contains("Playground: Generate") &&
                     shown.contains("Evaluate: Generate answers") && shown.contains("Pause / Resume"),
                 qPrintable(shown));
        QCOMPARE(shown.count('\n') + 1, windowKeys.size() + viewButtons);
    }
};

QTEST_MAIN(TestGuiAbout)
#include "test_gui_about.moc"
