#include "ui/charts/runs_loss_chart.h"

#include "ui/charts/chart_palette.h"

#include "ui/charts/empty_chart.h"

#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sft::ui {

namespace {

// Matplotlib's tab10: distinct for the first runs, readable on light and dark backgrounds.
const QColor kRunColours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                              QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                              QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f), QColor(0xbc, 0xbd, 0x22),
                              QColor(0x17, 0xbe, 0xcf)};

struct Range {
    double xMax = -std::numeric_limits<double>::infinity();
    double yMin = std::numeric_limits<double>::infinity();
    double yMax = -std::numeric_limits<double>::infinity();
};

double xOf(const EvalPoint& p, const RunCurve& run, RunsLossChart::XAxis axis)
{
    switch (axis) {
    case RunsLossChart::XAxis::Steps: return double(p.step);
    case RunsLossChart::XAxis::Tokens: return double(p.tokensSeen);
    case RunsLossChart::XAxis::Epochs: break;
    }
    return run.stepsPerEpoch > 0 ? double(p.step + 1) / double(run.stepsPerEpoch) : double(p.epoch);
}

QLineSeries* makeSeries(const QString& name, const QPen& pen, const RunCurve& run, double EvalPoint::*loss,
                        RunsLossChart::XAxis axis, Range& range)
{
    QList<QPointF> xy;
    for (const EvalPoint& p : run.points) {
        if (std::isnan(p.*loss))
            continue;
        xy.append({xOf(p, run, axis), p.*loss});
        range.xMax = std::max(range.xMax, xy.back().x());
        range.yMin = std::min(range.yMin, p.*loss);
        range.yMax = std::max(range.yMax, p.*loss);
    }
    auto* series = new QLineSeries;
    series->setName(name);
    series->setPen(pen);
    series->setPointsVisible(xy.size() < 60);
    series->replace(xy);
    return series;
}

} // namespace

QColor RunsLossChart::runColour(size_t i) { return kRunColours[i % std::size(kRunColours)]; }

RunsLossChart::RunsLossChart(QWidget* parent) : QChartView(parent)
{
    auto* chart = new QChart;
    chart->setTitle(tr("Loss"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    // Each entry drawn as its line: solid for training, dashed for validation.
    chart->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    chart->setMargins(QMargins(4, 4, 4, 4));
    x_ = new QValueAxis(chart);
    y_ = new QValueAxis(chart);
    y_->setTitleText(tr("Loss"));
    y_->setLabelFormat("%.2f");
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    empty_ = new EmptyChart(chart, tr("Choose runs: their loss curves appear here"));
    setChart(chart);
    followPalette(this);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(320, 220);
    draw();
}

void RunsLossChart::setCurves(std::vector<RunCurve> curves)
{
    curves_ = std::move(curves);
    draw();
}

void RunsLossChart::setXAxis(XAxis axis)
{
    xAxis_ = axis;
    draw();
}

void RunsLossChart::draw()
{
    chart()->removeAllSeries();
    x_->setTitleText(xAxis_ == XAxis::Steps ? tr("Step") : xAxis_ == XAxis::Tokens ? tr("Tokens seen") : tr("Epoch"));
    x_->setLabelFormat(xAxis_ == XAxis::Epochs ? "%.1f" : "%.0f");
    Range range;
    for (size_t i = 0; i < curves_.size(); ++i) {
        const RunCurve& run = curves_[i];
        for (QLineSeries* series :
             {makeSeries(tr("%1 training").arg(run.label), QPen(runColour(i), 2), run, &EvalPoint::trainLoss, xAxis_, range),
              makeSeries(tr("%1 validation").arg(run.label), QPen(runColour(i), 2, Qt::DashLine), run,
                         &EvalPoint::valLoss, xAxis_, range)}) {
            chart()->addSeries(series);
            series->attachAxis(x_);
            series->attachAxis(y_);
        }
    }
    empty_->setEmpty(range.yMin > range.yMax);
    if (range.yMin > range.yMax) {
        x_->setRange(0, 1);
        y_->setRange(0, 1);
        return;
    }
    const double pad = std::max(0.05, (range.yMax - range.yMin) * 0.08);
    x_->setRange(0, std::max(range.xMax, xAxis_ == XAxis::Epochs ? 0.1 : 1.0));
    x_->applyNiceNumbers();
    y_->setRange(std::max(0.0, range.yMin - pad), range.yMax + pad);
    y_->applyNiceNumbers();
}

} // namespace sft::ui
