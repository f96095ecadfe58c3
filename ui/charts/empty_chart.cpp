#include "ui/charts/empty_chart.h"

#include <QAbstractAxis>
#include <QChart>
#include <QGraphicsSimpleTextItem>
#include <QLegend>

namespace sft::ui {

EmptyChart::EmptyChart(QChart* chart, const QString& note)
    : QObject(chart), chart_(chart), note_(new QGraphicsSimpleTextItem(note, chart))
{
    note_->setBrush(chart->titleBrush());
    connect(chart, &QChart::plotAreaChanged, this, &EmptyChart::place);
    setEmpty(true);
}

void EmptyChart::setEmpty(bool empty)
{
    for (QAbstractAxis* axis : chart_->axes())
        axis->setVisible(!empty);
    chart_->legend()->setVisible(!empty);
    note_->setVisible(empty);
    place();
}

bool EmptyChart::isEmpty() const { return note_->isVisible(); }

QString EmptyChart::note() const { return note_->text(); }

void EmptyChart::setNoteBrush(const QBrush& brush) { note_->setBrush(brush); }

void EmptyChart::place()
{
    const QRectF area = chart_->plotArea();
    const QRectF box = note_->boundingRect();
    note_->setPos(area.center() - QPointF(box.width() / 2, box.height() / 2));
}

} // namespace sft::ui
