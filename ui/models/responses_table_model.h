#pragma once
// The answers of a responses file as table rows: instruction, reference answer, model answer
// and the judge's score (empty until scored). Answers can arrive a batch at a time.

#include <QAbstractTableModel>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace sft::ui {

struct ResponseRow {
    QString instruction, input, reference, answer;
    std::optional<double> score;
};

class ResponsesTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Instruction, Reference, Answer, Score, ColumnCount };
    // Numbers for the score column and text otherwise, for a sort proxy.
    static constexpr int SortRole = Qt::UserRole + 1;

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<ResponseRow> rows);
    // answers[k] becomes the answer of row rows[k].
    void setAnswers(const std::vector<int>& rows, const QStringList& answers);
    // Scores in row order; rows beyond the list (or all, for an empty list) lose theirs.
    void setScores(const std::vector<std::optional<double>>& scores);
    const ResponseRow& rowAt(int row) const { return rows_.at(size_t(row)); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString text(const ResponseRow& row, int column) const;

    std::vector<ResponseRow> rows_;
};

} // namespace sft::ui
