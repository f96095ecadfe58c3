#include "ui/charts/length_histogram_chart.h"

#include "ui/charts/chart_palette.h"

#include "ui/charts/empty_chart.h"

#include <QAreaSeries>
#include <QLineSeries>
#include <QLocale>
#include <QGuiApplication>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>

namespace sft::ui {

namespace {

// Showing a max length far beyond the longest entry would squeeze the bars into a sliver.
constexpr double kMaxLineReach = 1.5;

} // namespace

LengthHistogramChart::LengthHistogramChart(QWidget* parent) : QChartView(parent)
{
    auto* chart = new QChart;
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    outline_ = new QLineSeries(chart);
    baseline_ = new QLineSeries(chart);
    bars_ = new QAreaSeries(outline_, baseline_);
    bars_->setName(tr("Entries"));
    bars_->setColor(QColor(0x5b, 0x9b, 0xd5));
    bars_->setBorderColor(QColor(0x2e, 0x6d, 0xa4));
    maxLine_ = new QLineSeries(chart);
    maxLine_->setPen(QPen(QColor(0xd0, 0x30, 0x30), 2, Qt::DashLine));
    chart->addSeries(bars_);
    chart->addSeries(maxLine_);
    x_ = new QValueAxis(chart);
    y_ = new QValueAxis(chart);
    x_->setTitleText(tr("Tokens per entry"));
    x_->setLabelFormat("%d");
    y_->setTitleText(tr("Entries"));
    y_->setLabelFormat("%d");
    chart->addAxis(x_, Qt::AlignBottom);
    chart->addAxis(y_, Qt::AlignLeft);
    for (QAbstractSeries* series : {static_cast<QAbstractSeries*>(bars_), static_cast<QAbstractSeries*>(maxLine_)}) {
        series->attachAxis(x_);
        series->attachAxis(y_);
    }
    connect(bars_, &QAreaSeries::hovered, this, &LengthHistogramChart::showBin);
    connect(bars_, &QAreaSeries::clicked, this, &LengthHistogramChart::pickBin);
    empty_ = new EmptyChart(chart, tr("No dataset yet: its entries' token lengths appear here"));
    setChart(chart);
    followPalette(this);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(280, 200);
}

void LengthHistogramChart::setHistogram(const LengthHistogram& histogram)
{
    histogram_ = histogram;
    pickedFrom_.reset();
    redraw();
}

void LengthHistogramChart::setMaxLength(int64_t maxLength)
{
    maxLength_ = maxLength;
    redraw();
}

void LengthHistogramChart::clear()
{
    histogram_ = {};
    redraw();
}

void LengthHistogramChart::redraw()
{
    const LengthHistogram& h = histogram_;
    QList<QPointF> steps, base;
    int64_t tallest = 0;
    for (size_t i = 0; i < h.counts.size(); ++i) {
        const double left = double(h.firstBinStart + int64_t(i) * h.binWidth);
        const double right = left + double(h.binWidth);
        steps << QPointF(left, 0) << QPointF(left, double(h.counts[i])) << QPointF(right, double(h.counts[i]))
              << QPointF(right, 0);
        tallest = std::max(tallest, h.counts[i]);
    }
    for (const QPointF& p : steps)
        base << QPointF(p.x(), 0);
    outline_->replace(steps);
    baseline_->replace(base);
    empty_->setEmpty(h.counts.empty());

    const double low = double(h.firstBinStart);
    const double high = double(h.firstBinStart + int64_t(h.counts.size()) * h.binWidth);
    const bool lineShown = !h.counts.empty() && maxLength_ > 0 && double(maxLength_) <= high * kMaxLineReach;
    const double top = std::max<double>(1.0, double(tallest) * 1.1);
    const double at = double(maxLength_);
    maxLine_->replace(lineShown ? QList<QPointF>{{at, 0}, {at, top}} : QList<QPointF>{});
    maxLine_->setName(tr("Max length %1").arg(QLocale().toString(qlonglong(maxLength_))));
    x_->setRange(lineShown ? std::min(low, double(maxLength_)) : low,
                 lineShown ? std::max(high, double(maxLength_ + h.binWidth)) : std::max(high, low + 1));
    y_->setRange(0, top);
    chart()->setTitle(h.counts.empty() || lineShown
                          ? tr("Token lengths")
                          : tr("Token lengths (max length %1 is beyond the longest entry)")
                                .arg(QLocale().toString(qlonglong(maxLength_))));
}

std::optional<size_t> LengthHistogramChart::binAt(const QPointF& point) const
{
    const LengthHistogram& h = histogram_;
    if (h.counts.empty() || point.x() < double(h.firstBinStart))
        return std::nullopt;
    const auto bin = size_t((int64_t(point.x()) - h.firstBinStart) / h.binWidth);
    return bin < h.counts.size() ? std::optional<size_t>(bin) : std::nullopt;
}

void LengthHistogramChart::pickBin(const QPointF& point)
{
    const std::optional<size_t> bin = binAt(point);
    if (!bin)
        return;
    // Shift-click widens the range picked before to this bar.
    const bool widen = (QGuiApplication::keyboardModifiers() & Qt::ShiftModifier) && pickedFrom_;
    const size_t from = widen ? std::min(*pickedFrom_, *bin) : *bin;
    const size_t to = widen ? std::max(*pickedFrom_, *bin) : *bin;
    if (!widen)
        pickedFrom_ = bin;
    const LengthHistogram& h = histogram_;
    Q_EMIT rangePicked(h.firstBinStart + int64_t(from) * h.binWidth, h.firstBinStart + int64_t(to + 1) * h.binWidth - 1);
}

void LengthHistogramChart::showBin(const QPointF& point, bool hovering)
{
    const LengthHistogram& h = histogram_;
    const std::optional<size_t> found = hovering ? binAt(point) : std::nullopt;
    if (!found) {
        QToolTip::hideText();
        return;
    }
    const size_t bin = *found;
    const int64_t first = h.firstBinStart + int64_t(bin) * h.binWidth;
    const QString range = h.binWidth == 1 ? QString::number(first)
                                          : tr("%1–%2").arg(first).arg(first + h.binWidth - 1);
    QToolTip::showText(QCursor::pos(), tr("%1 tokens: %2 entries").arg(range).arg(h.counts[bin]), this);
}

} // namespace sft::ui
