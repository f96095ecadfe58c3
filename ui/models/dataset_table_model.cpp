#include "ui/models/dataset_table_model.h"

namespace sft::ui {

namespace {

// A cell is one line: the rest of a multi-line field is read in the detail pane.
QString oneLine(const QString& text)
{
    return text.contains(u'\n') ? QString(text).replace(u'\n', u' ') : text;
}

} // namespace

void DatasetTableModel::setRows(std::shared_ptr<const std::vector<EntryRow>> rows)
{
    beginResetModel();
    rows_ = std::move(rows);
    tokens_.clear();
    endResetModel();
}

void DatasetTableModel::setTokenCounts(std::vector<int64_t> counts)
{
    tokens_ = std::move(counts);
    if (!rows_->empty())
        Q_EMIT dataChanged(index(0, TokensColumn), index(rowCount() - 1, TokensColumn));
}

int DatasetTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_->size());
}

int DatasetTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant DatasetTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const EntryRow& r = row(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(r, index.column(), index.row());
    case Qt::EditRole:
        return sortKey(r, index.column(), index.row());
    case SortRole:
        return sortKey(r, index.column(), index.row());
    case Qt::ToolTipRole:
        return index.column() >= InstructionColumn && index.column() <= OutputColumn
                   ? sortKey(r, index.column(), index.row())
                   : QVariant();
    case Qt::TextAlignmentRole:
        return index.column() == IndexColumn || index.column() == TokensColumn
                   ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                   : QVariant();
    default:
        return {};
    }
}

QVariant DatasetTableModel::display(const EntryRow& r, int column, int rowIndex) const
{
    switch (column) {
    case IndexColumn:
        return r.index;
    case SplitColumn:
        return splitText(r.split);
    case InstructionColumn:
        return oneLine(r.instruction);
    case InputColumn:
        return oneLine(r.input);
    case OutputColumn:
        return oneLine(r.output);
    case TokensColumn:
        return size_t(rowIndex) < tokens_.size() ? QVariant(qint64(tokens_[size_t(rowIndex)])) : QVariant();
    default:
        return {};
    }
}

QVariant DatasetTableModel::sortKey(const EntryRow& r, int column, int rowIndex) const
{
    switch (column) {
    case SplitColumn:
        return int(r.split);
    case InstructionColumn:
        return r.instruction;
    case InputColumn:
        return r.input;
    case OutputColumn:
        return r.output;
    default:
        return display(r, column, rowIndex);
    }
}

QVariant DatasetTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IndexColumn:
        return tr("#");
    case SplitColumn:
        return tr("Split");
    case InstructionColumn:
        return tr("Instruction");
    case InputColumn:
        return tr("Input");
    case OutputColumn:
        return tr("Output");
    case TokensColumn:
        return tr("Tokens");
    default:
        return {};
    }
}

QString DatasetTableModel::fieldOf(int column)
{
    switch (column) {
    case InstructionColumn:
        return QStringLiteral("instruction");
    case InputColumn:
        return QStringLiteral("input");
    case OutputColumn:
        return QStringLiteral("output");
    default:
        return {};
    }
}

Qt::ItemFlags DatasetTableModel::flags(const QModelIndex& index) const
{
    const Qt::ItemFlags flags = QAbstractTableModel::flags(index);
    return fieldOf(index.column()).isEmpty() ? flags : flags | Qt::ItemIsEditable;
}

bool DatasetTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    const QString field = fieldOf(index.column());
    if (role != Qt::EditRole || field.isEmpty() || !index.isValid())
        return false;
    Q_EMIT textEdited(index.row(), field, value.toString());
    return true;
}

QString DatasetTableModel::splitText(SplitName split)
{
    switch (split) {
    case SplitName::Train:
        return tr("train");
    case SplitName::Test:
        return tr("test");
    case SplitName::Val:
        return tr("val");
    }
    return {};
}

} // namespace sft::ui
