// Help > About shows what `sft-studio --version` prints: version and commit, LibTorch, Qt,
// BLAS and threads.

#include "core/train/version_text.h"
#include "ui/views/main_window.h"

#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <QTimer>
#include <QtTest>

#include <torch/version.h>

using namespace sft;

class TestGuiAbout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aboutShowsTheVersionText()
    {
        ui::MainWindow window;
        window.show();
        QAction* about = nullptr;
        for (QAction* action : window.findChildren<QAction*>())
            if (action->text() == "&About SFT Studio")
                about = action;
        QVERIFY(about);

        QString shown;
        QTimer::singleShot(100, [&] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                shown = box->text();
                box->accept();
            }
        });
        about->trigger();

        const QString expected = QString::fromStdString(versionText());
        QVERIFY2(shown.contains(expected.toHtmlEscaped()), qPrintable(shown));
        QVERIFY(expected.contains("LibTorch " TORCH_VERSION "\n"));
        QVERIFY(expected.contains("Qt " + QString(qVersion()) + "\n"));
        QVERIFY(expected.contains("\nBLAS /"));
        QVERIFY(expected.contains("\nThreads "));
    }
};

QTEST_MAIN(TestGuiAbout)
#include "test_gui_about.moc"
