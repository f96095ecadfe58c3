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
    return accepted_.empty() || (size_t(sourceRow) < accepted_.size() && accepted_[size_t(sourceRow)]);
}

} // namespace sft::ui
