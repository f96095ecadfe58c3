#include "ui/models/runs_table_model.h"

#include "ui/duration_text.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QLocale>

#include <algorithm>
#include <iterator>
#include <limits>

namespace sft::ui {

namespace {

QString loss(const std::optional<double>& value) { return value ? QString::number(*value, 'f', 3) : QString(); }

QColor statusColour(RunStatus status)
{
    switch (status) {
    case RunStatus::Running: return QColor(0x1f, 0x77, 0xb4);
    case RunStatus::Finished: return QColor(0x2c, 0xa0, 0x2c);
    case RunStatus::Stopped: return QColor(0xb0, 0x80, 0x10);
    case RunStatus::Failed: break;
    }
    return QColor(0xc0, 0x30, 0x30);
}

} // namespace

void RunsTableModel::setRuns(std::vector<RunSummary> runs)
{
    const bool samePaths = runs.size() == runs_.size() &&
                           std::equal(runs.begin(), runs.end(), runs_.begin(),
                                      [](const RunSummary& a, const RunSummary& b) { return a.path == b.path; });
    if (!samePaths) {
        beginResetModel();
        runs_ = std::move(runs);
        endResetModel();
        return;
    }
    runs_ = std::move(runs);
    if (!runs_.empty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

int RunsTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(runs_.size()); }

int RunsTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunsTableModel::text(const RunSummary& r, int column) const
{
    switch (column) {
    case Name: return QString::fromStdString(r.name);
    case Status: return QString::fromStdString(runStatusName(r.status));
    case Model: return QString::fromStdString(r.model);
    case Dataset: return QString::fromStdString(r.dataset);
    case Steps:
        return r.totalSteps > 0 ? QStringLiteral("%1 / %2").arg(r.stepsDone).arg(r.totalSteps) : QString::number(r.stepsDone);
    case Processes: return QString::number(r.worldSize);
    case BestVal: return loss(r.bestValLoss);
    case LastVal: return loss(r.lastValLoss);
    case Started: {
        const QDateTime when = QDateTime::fromString(QString::fromStdString(r.started), Qt::ISODate);
        return when.isValid() ? QLocale().toString(when.toLocalTime(), QLocale::ShortFormat) : QString();
    }
    case Time: return durationText(r.seconds);
    }
    return {};
}

QVariant RunsTableModel::sortKey(const RunSummary& r, int column) const
{
    switch (column) {
    case Steps: return qlonglong(r.stepsDone);
    case Processes: return r.worldSize;
    case BestVal: return r.bestValLoss ? *r.bestValLoss : std::numeric_limits<double>::infinity();
    case LastVal: return r.lastValLoss ? *r.lastValLoss : std::numeric_limits<double>::infinity();
    case Started: return QString::fromStdString(r.started);
    case Time: return r.seconds;
    default: return text(r, column);
    }
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const RunSummary& r = runs_[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole: return text(r, index.column());
    case SortRole: return sortKey(r, index.column());
    case PathRole: return QString::fromStdString(r.path);
    case Qt::ToolTipRole:
        if (index.column() == Status && !r.detail.empty())
            return QString::fromStdString(r.detail);
        return index.column() == Name ? QString::fromStdString(r.path) : text(r, index.column());
    case Qt::ForegroundRole:
        return index.column() == Status ? QVariant(QBrush(statusColour(r.status))) : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() >= Steps && index.column() != Started
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    }
    return {};
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole && section == Processes)
        return tr("How many processes trained the run together (data parallel), on every machine it ran on");
    if (role != Qt::DisplayRole)
        return {};
    static const char* const kHeaders[] = {QT_TR_NOOP("Run"),           QT_TR_NOOP("Status"),    QT_TR_NOOP("Model"),
                                           QT_TR_NOOP("Dataset"),       QT_TR_NOOP("Steps"),     QT_TR_NOOP("Processes"),
                                           QT_TR_NOOP("Best val loss"), QT_TR_NOOP("Last val loss"), QT_TR_NOOP("Started"),
                                           QT_TR_NOOP("Time")};
    static_assert(std::size(kHeaders) == ColumnCount);
    return tr(kHeaders[section]);
}

} // namespace sft::ui
