#pragma once
// The learning rate and the gradient norm of every optimizer step, small under the loss chart.
// Steps can come faster than is worth drawing: points are collected and drawn at most every
// 40 ms.

#include "core/train/train_events.h"

#include <QChartView>
#include <QTimer>

#include <vector>

class QLineSeries;
class QValueAxis;

namespace sft::ui {

class EmptyChart;

class StepChart : public QChartView {
    Q_OBJECT
public:
    explicit StepChart(QWidget* parent = nullptr);

    void addPoint(const StepPoint& point);
    void setPoints(const std::vector<StepPoint>& points);
    void clear();

    const QLineSeries* learningRateSeries() const { return lr_; }
    const QLineSeries* gradNormSeries() const { return norm_; }

private:
    void redraw();

    std::vector<StepPoint> points_;
    QTimer redrawTimer_;
    QLineSeries* lr_;
    QLineSeries* norm_;
    QValueAxis* x_;
    QValueAxis* lrAxis_;
    QValueAxis* normAxis_;
    EmptyChart* empty_ = nullptr;
};

} // namespace sft::ui
