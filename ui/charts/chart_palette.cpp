#include "ui/charts/chart_palette.h"

#include "ui/charts/empty_chart.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QLegend>
#include <QPointer>

namespace sft::ui {

namespace {

QColor withAlpha(QColor colour, int alpha)
{
    colour.setAlpha(alpha);
    return colour;
}

void paint(QChartView* view)
{
    const QPalette palette = QApplication::palette(view);
    const QColor text = palette.color(QPalette::Text);
    QChart* chart = view->chart();
    chart->setBackgroundBrush(palette.color(QPalette::Base));
    chart->setBackgroundPen(QPen(withAlpha(text, 60)));
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    for (QAbstractAxis* axis : chart->axes()) {
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setLinePenColor(withAlpha(text, 140));
        axis->setGridLineColor(withAlpha(text, 45));
        axis->setMinorGridLineColor(withAlpha(text, 20));
    }
    for (EmptyChart* empty : chart->findChildren<EmptyChart*>())
        empty->setNoteBrush(text);
    view->setBackgroundBrush(palette.color(QPalette::Window));
}

// One filter on the application for all charts: Qt tells the application object of a new
// application palette (View > Theme), while a widget's own palette follows only later.
class PaletteFollower : public QObject {
public:
    static PaletteFollower& instance()
    {
        static auto* follower = new PaletteFollower(qApp);
        return *follower;
    }

    void follow(QChartView* view) { views_.append(view); }

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange) {
            views_.removeAll(nullptr);
            for (QChartView* view : std::as_const(views_))
                paint(view);
        }
        return false;
    }

private:
    explicit PaletteFollower(QObject* app) : QObject(app) { app->installEventFilter(this); }

    QList<QPointer<QChartView>> views_;
};

} // namespace

void followPalette(QChartView* view)
{
    paint(view);
    PaletteFollower::instance().follow(view);
}

} // namespace sft::ui
