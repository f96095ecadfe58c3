#include "ui/charts/score_histogram_chart.h"

#include "ui/charts/chart_palette.h"

#include "ui/charts/empty_chart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QValueAxis>

#include <algorithm>

namespace sft::ui {

namespace {

// Each bar labelled by where its band starts: "0–9" labels do not fit under narrow bars.
QStringList binLabels()
{
    QStringList labels;
    for (int bin = 0; bin < 10; ++bin)
        labels << QString::number(bin * 10);
    return labels;
}

} // namespace

ScoreHistogramChart::ScoreHistogramChart(QWidget* parent) : QChartView(parent)
{
    auto* chart = new QChart;
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->hide();
    bars_ = new QBarSet(tr("Entries"), chart);
    bars_->setColor(QColor(0x5b, 0x9b, 0xd5));
    bars_->setBorderColor(QColor(0x2e, 0x6d, 0xa4));
    auto* series = new QBarSeries(chart);
    series->append(bars_);
    series->setBarWidth(0.9);
    chart->addSeries(series);
    auto* x = new QBarCategoryAxis(chart);
    x->append(binLabels());
    x->setTitleText(tr("Score band (0–9, 10–19, …, 90–100)"));
    y_ = new QValueAxis(chart);
    y_->setLabelFormat("%d");
    y_->setTitleText(tr("Entries"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y_);
    empty_ = new EmptyChart(chart, tr("Scores appear here as the judge scores the answers"));
    setChart(chart);
    followPalette(this);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(260, 180);
    clear();
}

void ScoreHistogramChart::setStats(const ScoreStats& stats)
{
    bars_->remove(0, bars_->count());
    size_t tallest = 0;
    for (size_t n : stats.histogram) {
        bars_->append(double(n));
        tallest = std::max(tallest, n);
    }
    y_->setRange(0, double(std::max<size_t>(tallest, 1)));
    y_->applyNiceNumbers();
    empty_->setEmpty(stats.scored == 0);
    chart()->setTitle(stats.scored == 0 ? tr("No scores yet")
                                        : tr("Mean %1 (95% CI %2–%3), %4 scored")
                                              .arg(stats.mean, 0, 'f', 1)
                                              .arg(stats.ciLow, 0, 'f', 1)
                                              .arg(stats.ciHigh, 0, 'f', 1)
                                              .arg(stats.scored));
}

void ScoreHistogramChart::clear()
{
    setStats({});
}

QList<double> ScoreHistogramChart::counts() const
{
    QList<double> values;
    for (int i = 0; i < bars_->count(); ++i)
        values << bars_->at(i);
    return values;
}

} // namespace sft::ui
