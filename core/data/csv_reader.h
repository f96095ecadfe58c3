#pragma once
// Records of a CSV or TSV text as RFC 4180 writes them: fields separated by a comma (or a tab),
// a field in double quotes may hold separators, line breaks and doubled quotes (""), records end
// at LF or CRLF. Spreadsheets and pandas write this; a TSV uses the same quoting with tabs.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sft {

struct CsvRecord {
    std::vector<std::string> fields;
    size_t line = 0; // 1-based physical line where the record starts
};

class CsvReader {
public:
    // `text` must outlive the reader; a leading byte-order mark is skipped.
    CsvReader(std::string_view text, char separator, std::string nameForErrors);

    // The next record, or none at the end. Blank lines between records are skipped. Throws
    // DatasetError naming the line and column for a quote that never closes or text after a
    // closing quote.
    std::optional<CsvRecord> next();

private:
    std::string readQuoted(size_t recordLine, size_t column);
    std::string readPlain();
    bool atRecordEnd() const;
    void skipRecordEnd();

    std::string_view text_;
    char separator_;
    std::string name_;
    size_t pos_ = 0;
    size_t line_ = 1;
};

// "comma" or "tab", for messages that tell a person what to quote.
std::string separatorName(char separator);

} // namespace sft
