#pragma once
// The table's rows that match the search box and the filters (split, with or without input,
// warnings only, a range of token lengths), sortable by any column. Text matching is the core's
// EntrySearch; this model only keeps its answer per row.

#include <QSortFilterProxyModel>

#include "ui/models/dataset_table_model.h"

#include <memory>
#include <optional>
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

    enum class InputFilter { Any, With, Without };
    struct Filters {
        std::optional<SplitName> split;
        InputFilter input = InputFilter::Any;
        bool warnedOnly = false;
        int64_t minTokens = 0, maxTokens = 0; // maxTokens 0: no length filter
        bool operator==(const Filters& o) const
        {
            return split == o.split && input == o.input && warnedOnly == o.warnedOnly && minTokens == o.minTokens &&
                   maxTokens == o.maxTokens;
        }
    };
    void setFilters(const Filters& filters);
    const Filters& filters() const { return filters_; }
    // Token counts arrived (the length filter can apply only then).
    void tokensChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    void refilter();

    bool passesFilters(int sourceRow) const;

    std::shared_ptr<const EntrySearch> search_;
    QString query_;
    Filters filters_;
    std::vector<bool> accepted_; // empty: accept all
};

} // namespace sft::ui
