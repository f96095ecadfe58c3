#pragma once
// The application window. The full set of views arrives with the desktop-app issue (#4).

#include <QMainWindow>

namespace sft::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    void openPath(const QString& path);
};

} // namespace sft::ui
