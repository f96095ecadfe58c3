#pragma once
// The table's rows that match the search box, sortable by any column. Matching is the core's
// EntrySearch; this model only keeps its answer per row.

#include <QSortFilterProxyModel>

#include <memory>
#include <vector>

namespace sft {
class EntrySearch;
}

namespace sft::ui {

class EntryFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit EntryFilterModel(QObject* parent = nullptr);

    // The search over the source model's rows, in the same order; null: every row shows.
    void setSearch(std::shared_ptr<const EntrySearch> search);
    void setQuery(const QString& query);
    QString query() const { return query_; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void refilter();

    std::shared_ptr<const EntrySearch> search_;
    QString query_;
    std::vector<bool> accepted_; // empty: accept all
};

} // namespace sft::ui
