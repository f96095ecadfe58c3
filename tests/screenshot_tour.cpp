// Opens the real main window on a dataset, a run, its answers and two more runs, visits every
// view (the Data view's duplicates too) and saves each as a PNG, then a preference dataset and a DPO run: the README's
// screenshots. Run by tests/screenshots.sh under Xvfb.

#include "core/model/threads.h"
#include "ui/views/compare_view.h"
#include "ui/views/data_view.h"
#include "ui/views/duplicates_panel.h"
#include "ui/views/evaluate_view.h"
#include "ui/views/main_window.h"
#include "ui/views/playground_view.h"
#include "ui/views/runs_view.h"
#include "ui/remembered_judge.h"
#include "ui/studio_state.h"
#include "ui/theme.h"
#include "ui/workers/job_runner.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using sft::ui::MainWindow;

namespace {

// Lets queued work land: waits until no job runs (at most `limitMs`), then a little longer.
void settle(MainWindow& window, int limitMs = 120000)
{
    QElapsedTimer clock;
    clock.start();
    QTest::qWait(300);
    while (!window.state()->runningJobs().empty() && clock.elapsed() < limitMs)
        QTest::qWait(100);
    QTest::qWait(700);
}

void selectFirstRow(QWidget* view)
{
    if (auto* table = view->findChild<QTableView*>(); table && table->model() && table->model()->rowCount() > 0)
        table->selectRow(0);
}

bool save(MainWindow& window, const QString& dir, const QString& name)
{
    const bool ok = window.grab().save(QDir(dir).filePath(name + ".png"));
    std::fprintf(stderr, "%s %s\n", ok ? "saved" : "FAILED", qPrintable(name));
    return ok;
}

// The duplicates tab on the instruction field, a pair that is near but not equal selected.
void showNearDuplicates(sft::ui::DataView* data)
{
    sft::ui::DuplicatesPanel* panel = data->duplicates();
    if (auto* tabs = data->findChild<QTabWidget*>(); tabs && tabs->indexOf(panel) >= 0)
        tabs->setCurrentWidget(panel);
    if (auto* field = panel->findChild<QComboBox*>("duplicateField"))
        field->setCurrentIndex(field->findText("instruction"));
    panel->find();
    panel->job()->wait();
    QTest::qWait(300);
    auto* pairs = panel->findChild<QTableWidget*>("duplicatePairs");
    for (int r = 0; pairs && r < pairs->rowCount(); ++r)
        if (pairs->item(r, 3)->text().toDouble() < 0.99) {
            pairs->setCurrentCell(r, 0);
            break;
        }
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const QStringList args = QApplication::arguments();
    if (args.size() != 12) {
        std::fprintf(stderr, "usage: screenshot_tour OUTDIR DATASET MODEL RUN RESPONSES OTHER_RUN THIRD_RUN JUDGE_URL "
                             "JUDGE_MODEL PREFERENCES DPO_RUN\n");
        return 2;
    }
    const QString out = args[1], dataset = args[2], model = args[3], run = args[4], responses = args[5], other = args[6],
                  third = args[7], preferences = args[10], dpoRun = args[11];
    // The tour's settings and config stay in a folder of its own, neither the user's nor the output's.
    const QTemporaryDir config;
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, config.path());
    sft::ui::rememberJudge({sft::JudgeServer{args[8].toStdString()}, args[9].toStdString()});
    sft::useAllCores();
    sft::ui::applyTheme(sft::ui::Theme::Light);

    MainWindow window;
    window.resize(1280, 800);
    window.show();
    (void)QTest::qWaitForWindowExposed(&window);
    window.state()->setModelPath(model);
    bool ok = true;

    window.openPath(dataset);
    settle(window);
    selectFirstRow(window.view(MainWindow::View::Data));
    ok &= save(window, out, "data");

    showNearDuplicates(qobject_cast<sft::ui::DataView*>(window.view(MainWindow::View::Data)));
    settle(window);
    ok &= save(window, out, "data-duplicates");

    window.showView(MainWindow::View::Models);
    settle(window);
    ok &= save(window, out, "models");

    window.openPath(run);
    settle(window);
    ok &= save(window, out, "train");

    auto* evaluate = qobject_cast<sft::ui::EvaluateView*>(window.view(MainWindow::View::Evaluate));
    window.showView(MainWindow::View::Evaluate);
    evaluate->openResponses(responses);
    settle(window);
    selectFirstRow(evaluate);
    ok &= save(window, out, "evaluate");

    auto* playground = qobject_cast<sft::ui::PlaygroundView*>(window.view(MainWindow::View::Playground));
    window.showView(MainWindow::View::Playground);
    if (auto* instruction = playground->findChild<QPlainTextEdit*>("instructionEdit"))
        instruction->setPlainText("Rewrite the sentence using a simile.");
    if (auto* input = playground->findChild<QPlainTextEdit*>("inputEdit"))
        input->setPlainText("The car is very fast.");
    if (auto* maxTokens = playground->findChild<QSpinBox*>("maxNewTokens"))
        maxTokens->setValue(60);
    playground->generateAnswers();
    settle(window);
    ok &= save(window, out, "playground");

    auto* runs = qobject_cast<sft::ui::RunsView*>(window.view(MainWindow::View::Runs));
    window.showView(MainWindow::View::Runs);
    settle(window);
    runs->selectRuns({run, other, third});
    QTest::qWait(300);
    ok &= save(window, out, "runs");

    auto* compare = qobject_cast<sft::ui::CompareView*>(window.view(MainWindow::View::Compare));
    window.showView(MainWindow::View::Compare);
    compare->compareRuns({run, other, third});
    settle(window);
    selectFirstRow(compare);
    ok &= save(window, out, "compare");

    window.openPath(preferences);
    settle(window);
    selectFirstRow(window.view(MainWindow::View::Data));
    settle(window);
    ok &= save(window, out, "data-preferences");

    window.openPath(dpoRun);
    settle(window);
    ok &= save(window, out, "train-dpo");
    return ok ? 0 : 1;
}
