#include "core/data/csv_reader.h"

#include "core/util/error.h"

#include <utility>

namespace sft {

namespace {

constexpr std::string_view kQuoteHint = " (a quote inside a quoted field is written twice: \"\")";

} // namespace

CsvReader::CsvReader(std::string_view text, char separator, std::string nameForErrors)
    : text_(text), separator_(separator), name_(std::move(nameForErrors))
{
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") // Excel's "CSV UTF-8" starts with one
        pos_ = 3;
}

std::optional<CsvRecord> CsvReader::next()
{
    while (pos_ < text_.size() && atRecordEnd())
        skipRecordEnd();
    if (pos_ >= text_.size())
        return std::nullopt;
    CsvRecord record;
    record.line = line_;
    for (;;) {
        const size_t column = record.fields.size() + 1;
        const bool quoted = pos_ < text_.size() && text_[pos_] == '"';
        record.fields.push_back(quoted ? readQuoted(record.line, column) : readPlain());
        if (atRecordEnd()) {
            skipRecordEnd();
            return record;
        }
        ++pos_; // the separator
    }
}

std::string CsvReader::readQuoted(size_t recordLine, size_t column)
{
    const std::string where = name_ + ": line " + std::to_string(recordLine) + ": column " + std::to_string(column) + ": ";
    ++pos_;
    std::string field;
    for (;;) {
        if (pos_ >= text_.size())
            throw DatasetError(where + "the quoted field never closes" + std::string(kQuoteHint));
        const char c = text_[pos_];
        if (c == '"' && text_.substr(pos_, 2) == "\"\"") {
            field += '"';
            pos_ += 2;
        } else if (c == '"') {
            ++pos_;
            break;
        } else if (text_.substr(pos_, 2) == "\r\n") {
            // A file saved with Windows line ends has them inside quoted fields too; the text
            // means the same line break as everywhere else in the data.
            field += '\n';
            pos_ += 2;
            ++line_;
        } else {
            line_ += c == '\n';
            field += c;
            ++pos_;
        }
    }
    if (!atRecordEnd() && text_[pos_] != separator_)
        throw DatasetError(where + "text after the closing quote" + std::string(kQuoteHint));
    return field;
}

std::string CsvReader::readPlain()
{
    const size_t start = pos_;
    while (!atRecordEnd() && text_[pos_] != separator_)
        ++pos_;
    return std::string(text_.substr(start, pos_ - start));
}

bool CsvReader::atRecordEnd() const
{
    return pos_ >= text_.size() || text_[pos_] == '\n' || text_.substr(pos_, 2) == "\r\n";
}

void CsvReader::skipRecordEnd()
{
    if (pos_ < text_.size() && text_[pos_] == '\r')
        ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') {
        ++pos_;
        ++line_;
    }
}

std::string separatorName(char separator)
{
    if (separator == '\t')
        return "tab";
    if (separator == ',')
        return "comma";
    return std::string("'") + separator + "'";
}

} // namespace sft
