#pragma once
// Instruction data in other common forms turned into the Alpaca items the app reads
// ({instruction, input, output}): ShareGPT and OpenAI chat conversations (JSON array or JSON
// Lines), CSV and TSV tables with a header row, and Alpaca itself (to normalise a file).

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sft {

enum class ImportFormat { Auto, Alpaca, ShareGpt, Messages, Csv, Tsv };
// What becomes of a conversation with more than one user/assistant pair.
enum class LongConversations { FirstPair, EachPair, Skip };
// A system message either prefixes the instruction ("SYSTEM\n\nINSTRUCTION") or is dropped.
enum class SystemMessage { Prefix, Drop };

// Header names of a table's columns; an empty input means the entries get no input.
struct ColumnMapping {
    std::string instruction;
    std::string input;
    std::string output;
};

struct ImportOptions {
    ImportFormat format = ImportFormat::Auto;
    LongConversations longConversations = LongConversations::FirstPair;
    SystemMessage system = SystemMessage::Prefix;
    std::optional<ColumnMapping> columns; // tables only; none: guessColumnMapping of the header
};

struct ImportResult {
    ImportFormat format = ImportFormat::Auto;      // the one read (detected for Auto)
    std::vector<nlohmann::ordered_json> items;     // {"instruction", "input", "output"}, in that order
    std::optional<ColumnMapping> columns;          // tables: the columns read
    size_t conversations = 0;     // chat formats: conversations read
    size_t longConversations = 0; // ... of which more than one user/assistant pair
    size_t skipped = 0;           // ... of which none became an entry
    std::vector<std::string> notes; // one sentence each, for a summary: what was done and why
};

// Reads the file as `options.format` says. Throws DatasetError naming the file, the line (JSON
// Lines, tables) or entry index (JSON array), the field and the problem; ConfigError for a column
// mapping without an instruction or output column; IoError when the file cannot be read.
ImportResult importDataset(const std::string& path, const ImportOptions& options = {});

// Auto resolved: .csv and .tsv by the file name, JSON by the keys of its first item
// (conversations, messages or instruction). Throws DatasetError when neither tells.
ImportFormat detectImportFormat(const std::string& path);

// The header row of a table, for choosing the column mapping; separator ',' or '\t'.
std::vector<std::string> csvHeader(const std::string& path, char separator);
char separatorOf(ImportFormat tableFormat);

// Columns by their usual names, case-insensitive: instruction (or prompt, question, query), input
// (or context), output (or response, answer, completion). A role with no such column stays empty.
ColumnMapping guessColumnMapping(const std::vector<std::string>& header);

// "ShareGPT", "OpenAI messages", ... for messages and summaries.
std::string_view importFormatName(ImportFormat format);

} // namespace sft
