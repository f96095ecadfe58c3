#include "ui/charts/step_chart.h"

#include "ui/charts/chart_palette.h"

#include "ui/charts/empty_chart.h"

#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace sft::ui {

namespace {
constexpr int kRedrawMs = 40;
}

StepChart::StepChart(QWidget* parent) : QChartView(parent)
{
    auto* chart = new QChart;
    chart->setTitle(tr("Learning rate and gradient norm"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    lr_ = new QLineSeries(chart);
    lr_->setName(tr("Learning rate"));
    norm_ = new QLineSeries(chart);
    norm_->setName(tr("Gradient norm"));
    norm_->setPen(QPen(QColor(0x7a, 0x7a, 0x7a), 1));
    chart->addSeries(lr_);
    chart->addSeries(norm_);
    x_ = new QValueAxis(chart);
    x_->setLabelFormat("%.0f");
    x_->setTitleText(tr("Step"));
    lrAxis_ = new QValueAxis(chart);
    lrAxis_->setLabelFormat("%.1e");
    normAxis_ = new QValueAxis(chart);
    normAxis_->setLabelFormat("%.2f");
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(lrAxis_, Qt::AlignLeft);
    chart->addAxis(normAxis_, Qt::AlignRight);
    lr_->attachAxis(x_);
    lr_->attachAxis(lrAxis_);
    norm_->attachAxis(x_);
    norm_->attachAxis(normAxis_);
    empty_ = new EmptyChart(chart, tr("No steps yet: learning rate and gradient norm appear here"));
    setChart(chart);
    followPalette(this);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(200); // below this Qt Charts elides every axis label to "..."
    redrawTimer_.setSingleShot(true);
    redrawTimer_.setInterval(kRedrawMs);
    connect(&redrawTimer_, &QTimer::timeout, this, &StepChart::redraw);
    redraw();
}

void StepChart::addPoint(const StepPoint& point)
{
    points_.push_back(point);
    if (!redrawTimer_.isActive())
        redrawTimer_.start();
}

void StepChart::setPoints(const std::vector<StepPoint>& points)
{
    points_ = points;
    redraw();
}

void StepChart::clear() { setPoints({}); }

void StepChart::redraw()
{
    redrawTimer_.stop();
    QList<QPointF> lr, norm;
    double xMax = 1, lrMax = 0, normMax = 0;
    for (const StepPoint& p : points_) {
        lr.append({double(p.step), p.learningRate});
        norm.append({double(p.step), p.gradNorm});
        xMax = std::max(xMax, double(p.step));
        lrMax = std::max(lrMax, p.learningRate);
        if (std::isfinite(p.gradNorm))
            normMax = std::max(normMax, p.gradNorm);
    }
    lr_->replace(lr);
    norm_->replace(norm);
    empty_->setEmpty(points_.empty());
    x_->setRange(0, xMax);
    x_->applyNiceNumbers();
    lrAxis_->setRange(0, lrMax > 0 ? lrMax * 1.05 : 1);
    normAxis_->setRange(0, normMax > 0 ? normMax * 1.05 : 1);
}

} // namespace sft::ui
