#pragma once
// Train and validation loss as two line series against optimizer steps or tokens seen.
// Keeps the points it was given, so switching the x axis redraws without asking the run again.

#include "core/train/train_events.h"

#include <QChartView>

#include <vector>

class QLineSeries;
class QValueAxis;

namespace sft::ui {

class EmptyChart;

class LossChart : public QChartView {
    Q_OBJECT
public:
    enum class XAxis { Steps, Tokens };

    explicit LossChart(QWidget* parent = nullptr);

    void addPoint(const EvalPoint& point);
    void setPoints(const std::vector<EvalPoint>& points);
    void clear();
    void setXAxis(XAxis axis);
    // What the training series is: the legend names it (the mean of the steps since the last
    // evaluation, or the chapter's estimate over fresh batches).
    void setTrainLossName(const QString& name);
    XAxis xAxis() const { return xAxis_; }

    const QLineSeries* trainSeries() const { return train_; }
    const QLineSeries* valSeries() const { return val_; }

private:
    double xOf(const EvalPoint& point) const;
    void redraw();
    void fitAxes();
    void showValue(const QLineSeries* series, const QPointF& point, bool hovering);

    std::vector<EvalPoint> points_;
    XAxis xAxis_ = XAxis::Steps;
    QLineSeries* train_;
    QLineSeries* val_;
    QValueAxis* x_;
    QValueAxis* y_;
    EmptyChart* empty_ = nullptr;
};

} // namespace sft::ui
