#include "ui/models/responses_table_model.h"

namespace sft::ui {

namespace {

// One line per cell: the detail pane shows the whole text.
QString oneLine(QString text)
{
    return text.replace(QLatin1Char('\n'), QLatin1Char(' '));
}

} // namespace

void ResponsesTableModel::setRows(std::vector<ResponseRow> rows)
{
    beginResetModel();
    rows_ = std::move(rows);
    endResetModel();
}

void ResponsesTableModel::setAnswers(const std::vector<int>& rows, const QStringList& answers)
{
    for (size_t k = 0; k < rows.size() && k < size_t(answers.size()); ++k) {
        const int row = rows[k];
        if (row < 0 || row >= rowCount())
            continue;
        rows_[size_t(row)].answer = answers[int(k)];
        Q_EMIT dataChanged(index(row, Answer), index(row, Answer));
    }
}

void ResponsesTableModel::setScores(const std::vector<std::optional<double>>& scores)
{
    for (size_t i = 0; i < rows_.size(); ++i)
        rows_[i].score = i < scores.size() ? scores[i] : std::nullopt;
    if (!rows_.empty())
        Q_EMIT dataChanged(index(0, Score), index(rowCount() - 1, Score));
}

int ResponsesTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(rows_.size());
}

int ResponsesTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ResponsesTableModel::text(const ResponseRow& row, int column) const
{
    switch (column) {
    case Instruction:
        return row.input.isEmpty() ? row.instruction : row.instruction + "\n" + row.input;
    case Reference:
        return row.reference;
    case Answer:
        return row.answer;
    case Score:
        return row.score ? QString::number(*row.score) : QString();
    }
    return {};
}

QVariant ResponsesTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const ResponseRow& row = rows_[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return oneLine(text(row, index.column()));
    case Qt::ToolTipRole:
        return text(row, index.column());
    case SortRole:
        if (index.column() == Score)
            return row.score ? QVariant(*row.score) : QVariant(-1.0);
        return text(row, index.column());
    case Qt::TextAlignmentRole:
        return index.column() == Score ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    }
    return {};
}

QVariant ResponsesTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (section) {
    case Instruction:
        return tr("Instruction");
    case Reference:
        return tr("Reference answer");
    case Answer:
        return tr("Model answer");
    case Score:
        return tr("Score");
    }
    return {};
}

} // namespace sft::ui
