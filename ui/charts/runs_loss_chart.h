#pragma once
// Loss curves of several runs overlaid: for each run its training loss (solid) and validation
// loss (dashed) in the run's colour, against optimizer steps.

#include "core/train/train_events.h"

#include <QChartView>
#include <QString>

#include <vector>

class QValueAxis;

namespace sft::ui {

class EmptyChart;

struct RunCurve {
    QString label;
    std::vector<EvalPoint> points;
};

class RunsLossChart : public QChartView {
    Q_OBJECT
public:
    explicit RunsLossChart(QWidget* parent = nullptr);

    // Replaces every series; a loss that is not a number (an empty split) leaves a gap.
    void setCurves(const std::vector<RunCurve>& curves);

private:
    QValueAxis* x_;
    QValueAxis* y_;
    EmptyChart* empty_ = nullptr;
};

} // namespace sft::ui
