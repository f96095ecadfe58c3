#include "ui/models/entry_filter_model.h"

#include "core/data/entry_search.h"
#include "ui/models/dataset_table_model.h"

namespace sft::ui {

EntryFilterModel::EntryFilterModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(DatasetTableModel::SortRole);
}

void EntryFilterModel::setSearch(std::shared_ptr<const EntrySearch> search)
{
    search_ = std::move(search);
    refilter();
}

void EntryFilterModel::setQuery(const QString& query)
{
    if (query == query_)
        return;
    query_ = query;
    refilter();
}

void EntryFilterModel::setFilters(const Filters& filters)
{
    if (filters == filters_)
        return;
    filters_ = filters;
    invalidate();
}

void EntryFilterModel::tokensChanged()
{
    if (filters_.maxTokens > 0)
        invalidate();
}

void EntryFilterModel::refilter()
{
    if (search_ && !query_.isEmpty())
        accepted_ = search_->matches(query_.toStdString());
    else
        accepted_.clear();
    // A whole new mapping at once: invalidateFilter() would remove the hidden rows range by
    // range, each removal notifying the view, which takes seconds on 50,000 scattered rows.
    invalidate();
}

bool EntryFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    const bool matches = accepted_.empty() || (size_t(sourceRow) < accepted_.size() && accepted_[size_t(sourceRow)]);
    return matches && passesFilters(sourceRow);
}

bool EntryFilterModel::passesFilters(int sourceRow) const
{
    const auto* table = static_cast<const DatasetTableModel*>(sourceModel());
    const EntryRow& row = table->row(sourceRow);
    if (filters_.split && row.split != *filters_.split)
        return false;
    if (filters_.input != InputFilter::Any && row.input.trimmed().isEmpty() == (filters_.input == InputFilter::With))
        return false;
    if (filters_.warnedOnly && !row.warned)
        return false;
    if (filters_.maxTokens > 0) {
        const int64_t tokens = table->tokenCount(sourceRow);
        return tokens >= filters_.minTokens && tokens <= filters_.maxTokens;
    }
    return true;
}

} // namespace sft::ui
