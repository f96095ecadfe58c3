#pragma once
// Loss curves of several runs overlaid: each run in its own colour, its training loss solid and
// its validation loss dashed (the legend draws each line as it is), against optimizer steps,
// tokens seen or epochs.

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
    int64_t stepsPerEpoch = 0; // 0: not recorded; the epochs axis then uses each point's epoch
};

class RunsLossChart : public QChartView {
    Q_OBJECT
public:
    enum class XAxis { Steps, Tokens, Epochs };

    explicit RunsLossChart(QWidget* parent = nullptr);

    // Replaces every series; a loss that is not a number (an empty split) leaves a gap.
    void setCurves(std::vector<RunCurve> curves);
    void setXAxis(XAxis axis);
    // The colour of the i-th run's curves.
    static QColor runColour(size_t i);

private:
    void draw();

    std::vector<RunCurve> curves_;
    XAxis xAxis_ = XAxis::Steps;
    QValueAxis* x_;
    QValueAxis* y_;
    EmptyChart* empty_ = nullptr;
};

} // namespace sft::ui
