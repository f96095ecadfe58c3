// sft-studio: no arguments or a path opens the desktop app; a subcommand runs headless.

#include "app/cli.h"
#include "core/model/threads.h"
#include "ui/views/main_window.h"
#include "ui/theme.h"

#include <QApplication>
#include <QCoreApplication>
#include <QSettings>

int main(int argc, char** argv)
{
    if (argc > 1 && sft::cli::isSubcommand(QString::fromLocal8Bit(argv[1]))) {
        QCoreApplication app(argc, argv);
        QStringList args = QCoreApplication::arguments();
        args.removeFirst();
        return sft::cli::run(args);
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName("SFT Studio");
    QApplication::setOrganizationName("sft-studio");
    QApplication::setDesktopFileName(SFT_APP_ID);
    sft::useAllCores();
    sft::ui::applyTheme(sft::ui::themeFromName(QSettings().value("theme").toString()));
    sft::ui::MainWindow window;
    window.show();
    if (argc > 1)
        window.openPath(QCoreApplication::arguments().at(1));
    return app.exec();
}
