#pragma once
// Token lengths of the entries as a histogram, with the max length drawn as a vertical line
// where it falls inside the range of lengths. Bars are a stepped area over a numeric axis, so
// the line sits at its exact token count.

#include "core/data/length_histogram.h"

#include <QChartView>

#include <optional>

class QAreaSeries;
class QLineSeries;
class QValueAxis;

namespace sft::ui {

class EmptyChart;

class LengthHistogramChart : public QChartView {
    Q_OBJECT
public:
    explicit LengthHistogramChart(QWidget* parent = nullptr);

    void setHistogram(const LengthHistogram& histogram);
    void setMaxLength(int64_t maxLength);
    void clear();

    const QLineSeries* maxLengthLine() const { return maxLine_; }
    const QLineSeries* outline() const { return outline_; }
    const LengthHistogram& histogram() const { return histogram_; }

    // As a click on the bars picks them (a test has no mouse on the chart).
    void pickBin(const QPointF& point);

Q_SIGNALS:
    // A click on a bar picks its lengths; shift-click widens to the bars between (inclusive).
    void rangePicked(int64_t firstTokens, int64_t lastTokens);

private:
    void redraw();
    void showBin(const QPointF& point, bool hovering);
    std::optional<size_t> binAt(const QPointF& point) const;

    LengthHistogram histogram_;
    int64_t maxLength_ = 0;
    std::optional<size_t> pickedFrom_;
    QLineSeries* outline_;
    QLineSeries* baseline_;
    QAreaSeries* bars_;
    QLineSeries* maxLine_;
    QValueAxis* x_;
    QValueAxis* y_;
    EmptyChart* empty_ = nullptr;
};

} // namespace sft::ui
