#pragma once
// The runs library as table rows: name, status, model, dataset, steps, the processes that trained
// it together, best and last validation loss, when it started and how long it has trained. Rows
// are replaced by each scan of the run folders; a scan that finds the same runs updates them in
// place, so selections stay.

#include "core/train/run_library.h"

#include <QAbstractTableModel>

#include <vector>

namespace sft::ui {

class RunsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Status, Model, Dataset, Steps, Processes, BestVal, LastVal, Started, Time, ColumnCount };
    // Numbers for numeric columns and text otherwise, for a sort proxy.
    static constexpr int SortRole = Qt::UserRole + 1;
    static constexpr int PathRole = Qt::UserRole + 2;

    using QAbstractTableModel::QAbstractTableModel;

    void setRuns(std::vector<RunSummary> runs);
    const RunSummary& runAt(int row) const { return runs_.at(size_t(row)); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant text(const RunSummary& run, int column) const;
    QVariant sortKey(const RunSummary& run, int column) const;

    std::vector<RunSummary> runs_;
};

} // namespace sft::ui
