#include "ui/charts/reward_chart.h"

#include "ui/charts/chart_palette.h"
#include "ui/charts/empty_chart.h"

#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace sft::ui {

namespace {

// Green for chosen, red for rejected, blue for the margin; training solid, validation dashed.
const QColor kChosen(0x2c, 0xa0, 0x2c), kRejected(0xd6, 0x27, 0x28), kMargin(0x1f, 0x77, 0xb4);

double valueOf(const Rewards& r, int which) { return which == 0 ? r.chosen : which == 1 ? r.rejected : r.margin(); }

} // namespace

RewardChart::RewardChart(QWidget* parent) : QChartView(parent)
{
    auto* chart = new QChart;
    chart->setTitle(tr("DPO rewards: solid train, dashed val"));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    x_ = new QValueAxis(chart);
    x_->setLabelFormat("%.0f");
    x_->setTitleText(tr("Step"));
    y_ = new QValueAxis(chart);
    y_->setLabelFormat("%.2f");
    y_->setTitleText(tr("Reward"));
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    const QString names[] = {tr("chosen"), tr("rejected"), tr("margin")};
    const QColor colours[] = {kChosen, kRejected, kMargin};
    for (const bool validation : {false, true})
        for (int which = 0; which < 3; ++which) {
            auto* series = new QLineSeries(chart);
            series->setName((validation ? tr("validation %1") : QStringLiteral("%1")).arg(names[which]));
            series->setPen(QPen(colours[which], which == 2 ? 2.5 : 1.5, validation ? Qt::DashLine : Qt::SolidLine));
            chart->addSeries(series);
            series->attachAxis(x_);
            series->attachAxis(y_);
            series_.push_back(series);
            // One legend entry per colour: the title says which line is which split.
            if (validation)
                chart->legend()->markers(series).front()->setVisible(false);
        }
    empty_ = new EmptyChart(chart, tr("No evaluations yet: the rewards of chosen and rejected answers appear here"));
    setChart(chart);
    followPalette(this);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(240, 200);
    redraw();
}

void RewardChart::addPoint(const EvalPoint& point)
{
    if (!point.trainRewards || !point.valRewards)
        return;
    points_.push_back(point);
    redraw();
}

void RewardChart::setPoints(const std::vector<EvalPoint>& points)
{
    points_.clear();
    for (const EvalPoint& p : points)
        if (p.trainRewards && p.valRewards)
            points_.push_back(p);
    redraw();
}

void RewardChart::redraw()
{
    double low = 0, high = 0, xMax = 1;
    for (size_t s = 0; s < series_.size(); ++s) {
        QList<QPointF> line;
        for (const EvalPoint& p : points_) {
            const double y = valueOf(s < 3 ? *p.trainRewards : *p.valRewards, int(s % 3));
            if (std::isnan(y))
                continue;
            line.append({double(p.step), y});
            low = std::min(low, y);
            high = std::max(high, y);
            xMax = std::max(xMax, double(p.step));
        }
        series_[s]->replace(line);
    }
    empty_->setEmpty(points_.empty());
    const double pad = std::max(0.01, (high - low) * 0.08);
    x_->setRange(0, xMax);
    x_->applyNiceNumbers();
    y_->setRange(low - pad, high + pad);
}

} // namespace sft::ui
