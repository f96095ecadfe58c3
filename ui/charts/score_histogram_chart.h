#pragma once
// The judge's scores as ten bars (0-9, ..., 90-100), with the mean and its 95% interval in the
// title, so the spread is seen and not only the average.

#include "core/judge/score_stats.h"

#include <QChartView>

class QBarSet;
class QValueAxis;

namespace sft::ui {

class EmptyChart;

class ScoreHistogramChart : public QChartView {
    Q_OBJECT
public:
    explicit ScoreHistogramChart(QWidget* parent = nullptr);

    void setStats(const ScoreStats& stats);
    void clear();

    // Bar heights, bin by bin, as drawn.
    QList<double> counts() const;

private:
    QBarSet* bars_;
    QValueAxis* y_;
    EmptyChart* empty_ = nullptr;
};

} // namespace sft::ui
