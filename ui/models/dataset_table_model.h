#pragma once
// The dataset's entries as a table (index, split, instruction, input, output, token count).
// Rows hold their text as QStrings made once by the loading job, so painting, sorting and
// filtering 50,000 entries copy no text.

#include <QAbstractTableModel>
#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace sft::ui {

enum class SplitName { Train, Test, Val };

struct EntryRow {
    qint64 index = 0; // position in the file
    SplitName split = SplitName::Train;
    QString instruction, input, output;
    bool warned = false; // the dataset's checks have a warning for this entry
};

class DatasetTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { IndexColumn, SplitColumn, InstructionColumn, InputColumn, OutputColumn, TokensColumn, ColumnCount };
    // Numbers for the number columns, the full text for the others.
    static constexpr int SortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::shared_ptr<const std::vector<EntryRow>> rows);
    // One count per row; empty while the entries are not tokenized.
    void setTokenCounts(std::vector<int64_t> counts);
    const EntryRow& row(int r) const { return (*rows_)[size_t(r)]; }
    // Tokens of row r, or -1 while the entries are not tokenized.
    int64_t tokenCount(int r) const { return size_t(r) < tokens_.size() ? tokens_[size_t(r)] : -1; }

    // Text cells can be edited in place; the edit goes to the document (textEdited), and the
    // rows follow once the view has read the edited entries again.
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    static QString fieldOf(int column); // "instruction", "input", "output"; empty for other columns

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString splitText(SplitName split);

Q_SIGNALS:
    void textEdited(int row, const QString& field, const QString& text);

private:
    QVariant display(const EntryRow& row, int column, int r) const;
    QVariant sortKey(const EntryRow& row, int column, int r) const;

    std::shared_ptr<const std::vector<EntryRow>> rows_ = std::make_shared<std::vector<EntryRow>>();
    std::vector<int64_t> tokens_;
};

} // namespace sft::ui
