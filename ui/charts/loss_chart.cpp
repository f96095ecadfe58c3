#include "ui/charts/loss_chart.h"

#include "ui/charts/chart_palette.h"

#include "ui/charts/empty_chart.h"

#include <QLineSeries>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace sft::ui {

namespace {

QLineSeries* makeSeries(const QString& name, QChart* chart)
{
    auto* series = new QLineSeries(chart);
    series->setName(name);
    series->setPointsVisible(true);
    chart->addSeries(series);
    return series;
}

} // namespace

LossChart::LossChart(QWidget* parent) : QChartView(parent)
{
    auto* chart = new QChart;
    chart->setTitle(tr("Loss"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    train_ = makeSeries(tr("Training loss"), chart);
    val_ = makeSeries(tr("Validation loss"), chart);
    val_->setPen(QPen(QColor(0xe0, 0x8a, 0x1e), 2, Qt::DashLine));
    x_ = new QValueAxis(chart);
    y_ = new QValueAxis(chart);
    x_->setLabelFormat("%.0f");
    y_->setLabelFormat("%.2f");
    y_->setTitleText(tr("Loss"));
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    for (QLineSeries* series : {train_, val_}) {
        series->attachAxis(x_);
        series->attachAxis(y_);
        connect(series, &QLineSeries::hovered, this,
                [this, series](const QPointF& p, bool on) { showValue(series, p, on); });
    }
    empty_ = new EmptyChart(chart, tr("No evaluations yet: train and validation loss appear here"));
    setChart(chart);
    followPalette(this);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(320, 220);
    setXAxis(XAxis::Steps);
}

void LossChart::setTrainLossName(const QString& name) { train_->setName(name); }

void LossChart::addPoint(const EvalPoint& point)
{
    points_.push_back(point);
    train_->append(xOf(point), point.trainLoss);
    val_->append(xOf(point), point.valLoss);
    fitAxes();
}

void LossChart::setPoints(const std::vector<EvalPoint>& points)
{
    points_ = points;
    redraw();
}

void LossChart::clear()
{
    points_.clear();
    redraw();
}

void LossChart::setXAxis(XAxis axis)
{
    xAxis_ = axis;
    x_->setTitleText(axis == XAxis::Steps ? tr("Step") : tr("Tokens seen"));
    redraw();
}

double LossChart::xOf(const EvalPoint& point) const
{
    return double(xAxis_ == XAxis::Steps ? point.step : point.tokensSeen);
}

void LossChart::redraw()
{
    QList<QPointF> train, val;
    for (const EvalPoint& p : points_) {
        train.append({xOf(p), p.trainLoss});
        val.append({xOf(p), p.valLoss});
    }
    train_->replace(train);
    val_->replace(val);
    fitAxes();
}

void LossChart::fitAxes()
{
    empty_->setEmpty(points_.empty());
    if (points_.empty()) {
        x_->setRange(0, 1);
        y_->setRange(0, 1);
        return;
    }
    double xMax = 1, yMin = points_.front().trainLoss, yMax = yMin;
    for (const EvalPoint& p : points_) {
        xMax = std::max(xMax, xOf(p));
        yMin = std::min({yMin, p.trainLoss, p.valLoss});
        yMax = std::max({yMax, p.trainLoss, p.valLoss});
    }
    const double pad = std::max(0.05, (yMax - yMin) * 0.08);
    x_->setRange(0, xMax);
    y_->setRange(std::max(0.0, std::floor((yMin - pad) * 10) / 10), std::ceil((yMax + pad) * 10) / 10);
    x_->applyNiceNumbers();
}

void LossChart::showValue(const QLineSeries* series, const QPointF& point, bool hovering)
{
    if (!hovering) {
        QToolTip::hideText();
        return;
    }
    const auto nearest = std::min_element(points_.begin(), points_.end(), [&](const EvalPoint& a, const EvalPoint& b) {
        return std::abs(xOf(a) - point.x()) < std::abs(xOf(b) - point.x());
    });
    if (nearest == points_.end())
        return;
    const double loss = series == train_ ? nearest->trainLoss : nearest->valLoss;
    QToolTip::showText(QCursor::pos(), tr("%1\nstep %2, %3 tokens seen\nloss %4")
                                           .arg(series->name())
                                           .arg(nearest->step)
                                           .arg(nearest->tokensSeen)
                                           .arg(loss, 0, 'f', 3),
                       this);
}

} // namespace sft::ui
