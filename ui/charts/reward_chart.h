#pragma once
// DPO's rewards at each evaluation: the chosen and the rejected answers' mean reward (policy
// minus reference log-probability) and the margin between them, for the training and the
// validation batches. The margin rising above 0 is the policy learning the preference.

#include "core/train/train_events.h"

#include <QChartView>

#include <vector>

class QLineSeries;
class QValueAxis;

namespace sft::ui {

class EmptyChart;

class RewardChart : public QChartView {
    Q_OBJECT
public:
    explicit RewardChart(QWidget* parent = nullptr);

    void addPoint(const EvalPoint& point); // points without rewards (an SFT run) are left out
    void setPoints(const std::vector<EvalPoint>& points);
    void clear() { setPoints({}); }
    bool hasPoints() const { return !points_.empty(); }

    // Train chosen, rejected, margin, then validation chosen, rejected, margin.
    const std::vector<QLineSeries*>& series() const { return series_; }

private:
    void redraw();

    std::vector<EvalPoint> points_;
    std::vector<QLineSeries*> series_;
    QValueAxis* x_;
    QValueAxis* y_;
    EmptyChart* empty_ = nullptr;
};

} // namespace sft::ui
