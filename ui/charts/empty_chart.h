#pragma once
// Until a chart has data, its axes and legend are hidden and one line in the middle says what
// will appear there: empty axes only show meaningless ticks ("0 0 1 1 1").

#include <QObject>
#include <QString>

class QBrush;
class QChart;
class QGraphicsSimpleTextItem;

namespace sft::ui {

class EmptyChart : public QObject {
    Q_OBJECT
public:
    EmptyChart(QChart* chart, const QString& note);

    void setEmpty(bool empty);
    bool isEmpty() const;
    QString note() const;
    void setNoteBrush(const QBrush& brush);

private:
    void place();

    QChart* chart_;
    QGraphicsSimpleTextItem* note_;
};

} // namespace sft::ui
