#include "ui/main_window.h"

#include <QLabel>

namespace sft::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle("SFT Studio");
    auto* label = new QLabel(tr("SFT Studio — use the command line (sft-studio help) until the "
                                "desktop views land."),
                             this);
    label->setAlignment(Qt::AlignCenter);
    setCentralWidget(label);
    resize(1000, 700);
}

void MainWindow::openPath(const QString& path)
{
    setWindowTitle(QStringLiteral("SFT Studio — %1").arg(path));
}

} // namespace sft::ui
