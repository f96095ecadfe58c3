#include "ui/charts/runs_loss_chart.h"

#include "ui/charts/empty_chart.h"

#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace sft::ui {

namespace {

const QColor kRunColours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xe0, 0x6c, 0x1e), QColor(0x2c, 0xa0, 0x2c),
                              QColor(0x94, 0x67, 0xbd)};

struct Range {
    double xMax = 1;
    double yMin = std::numeric_limits<double>::infinity();
    double yMax = -std::numeric_limits<double>::infinity();
};

QLineSeries* makeSeries(const QString& name, const QPen& pen, const std::vector<EvalPoint>& points,
                        double EvalPoint::*loss, Range& range)
{
    QList<QPointF> xy;
    for (const EvalPoint& p : points) {
        if (std::isnan(p.*loss))
            continue;
        xy.append({double(p.step), p.*loss});
        range.xMax = std::max(range.xMax, double(p.step));
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

RunsLossChart::RunsLossChart(QWidget* parent) : QChartView(parent)
{
    auto* chart = new QChart;
    chart->setTitle(tr("Loss"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    x_ = new QValueAxis(chart);
    y_ = new QValueAxis(chart);
    x_->setTitleText(tr("Step"));
    x_->setLabelFormat("%.0f");
    y_->setTitleText(tr("Loss"));
    y_->setLabelFormat("%.2f");
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    empty_ = new EmptyChart(chart, tr("Choose runs: their loss curves appear here"));
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(320, 220);
    setCurves({});
}

void RunsLossChart::setCurves(const std::vector<RunCurve>& curves)
{
    chart()->removeAllSeries();
    Range range;
    for (size_t i = 0; i < curves.size(); ++i) {
        const QColor colour = kRunColours[i % std::size(kRunColours)];
        const RunCurve& run = curves[i];
        for (QLineSeries* series :
             {makeSeries(tr("%1 training").arg(run.label), QPen(colour, 2), run.points, &EvalPoint::trainLoss, range),
              makeSeries(tr("%1 validation").arg(run.label), QPen(colour, 2, Qt::DashLine), run.points,
                         &EvalPoint::valLoss, range)}) {
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
    x_->setRange(0, range.xMax);
    x_->applyNiceNumbers();
    y_->setRange(std::max(0.0, range.yMin - pad), range.yMax + pad);
    y_->applyNiceNumbers();
}

} // namespace sft::ui
