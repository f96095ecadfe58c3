#include "core/data/entry_search.h"

#include <QString>
#include <QStringView>

namespace sft {

namespace {

// Between fields, so that a query cannot match the end of one and the start of the next;
// a unit separator never occurs in typed text.
constexpr char16_t kFieldSeparator = u'\x1f';

} // namespace

EntrySearch::EntrySearch(const std::vector<Entry>& entries)
{
    folded_.reserve(entries.size());
    for (const Entry& entry : entries) {
        QString text = QString::fromStdString(entry.instruction);
        text += kFieldSeparator;
        text += QString::fromStdString(entry.input);
        text += kFieldSeparator;
        text += QString::fromStdString(entry.output);
        folded_.push_back(text.toCaseFolded().toStdU16String());
    }
}

std::vector<bool> EntrySearch::matches(const std::string& query) const
{
    const QString needle = QString::fromStdString(query).toCaseFolded();
    std::vector<bool> result(folded_.size(), true);
    if (needle.isEmpty())
        return result;
    for (size_t i = 0; i < folded_.size(); ++i)
        result[i] = QStringView(folded_[i]).contains(needle);
    return result;
}

} // namespace sft
