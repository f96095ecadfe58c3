// sft-studio import-data: ShareGPT or OpenAI chat conversations, CSV or TSV tables, written as the
// Alpaca dataset ({instruction, input, output}) the rest of the app reads.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/dataset_document.h"
#include "core/data/dataset_import.h"

#include <QFileInfo>

#include <cstdio>
#include <initializer_list>
#include <utility>

namespace sft::cli {

namespace {

template <typename T>
T choice(const Options& o, const QString& flag, std::initializer_list<std::pair<const char*, T>> names)
{
    const std::string value = o.text(flag);
    std::string accepted;
    for (const auto& [name, meaning] : names) {
        if (value == name)
            return meaning;
        accepted += (accepted.empty() ? "" : ", ") + std::string(name);
    }
    throw UsageError("--" + flag.toStdString() + " must be one of " + accepted + ", not '" + value + "'");
}

// The columns flags name, the others as the importer would guess them from the header.
ColumnMapping chosenColumns(const Options& o, const std::string& path, ImportFormat format)
{
    ColumnMapping columns = guessColumnMapping(csvHeader(path, separatorOf(format)));
    for (auto [flag, column] : {std::pair{"instruction", &columns.instruction}, std::pair{"input", &columns.input},
                                std::pair{"output", &columns.output}})
        if (o.isSet(flag))
            *column = o.text(flag);
    for (auto [flag, column] : {std::pair{"instruction", &columns.instruction}, std::pair{"output", &columns.output}})
        if (column->empty())
            throw UsageError("cannot tell which column of " + path + " holds the " + flag + "; name it with --" + flag);
    return columns;
}

} // namespace

int cmdImportData(const QStringList& args)
{
    Options o("import-data",
              "Writes instruction data from another form as the Alpaca dataset the app reads ({instruction, input, "
              "output}): ShareGPT ('conversations' of {from, value}) or OpenAI chat ('messages' of {role, "
              "content}) as a JSON array or JSON Lines, a CSV or TSV table with a header row, or Alpaca itself. "
              "A conversation's first user turn becomes the instruction and the assistant's answer the output; "
              "a table's columns are found by their names unless given.");
    o.addPositional("IN", "The file to import.");
    o.add("out", "Dataset to write: a JSON list, or JSON Lines when the name ends in .jsonl.", "FILE");
    o.add("format", "auto, alpaca, sharegpt, messages, csv or tsv. auto: .csv and .tsv by the file name, JSON by "
                    "the keys of its first item (conversations, messages, instruction).",
          "NAME", "auto");
    o.add("instruction", "Table column of the instruction (default: the one called instruction, prompt, question "
                         "or query).",
          "COL");
    o.add("input", "Table column of the input (default: the one called input or context, if any; '' for none).",
          "COL");
    o.add("output", "Table column of the output (default: the one called output, response, answer or completion).",
          "COL");
    o.add("long-conversations", "A conversation with more than one user/assistant pair: first (keep its first "
                                "pair), each (one entry per pair) or skip.",
          "WHAT", "first");
    o.add("system", "A conversation's system message: prefix (the instruction becomes SYSTEM, a blank line, "
                    "INSTRUCTION) or drop.",
          "WHAT", "prefix");
    if (!o.parse(args))
        return 0;
    if (o.positional().size() != 1)
        throw UsageError("give one file to import");
    const std::string in = o.positional().front().toStdString();
    const std::string out = o.required("out");
    if (QFileInfo(QString::fromStdString(out)).absoluteFilePath() == QFileInfo(QString::fromStdString(in)).absoluteFilePath())
        throw UsageError("--out is the file being imported; write the dataset to a new file");

    ImportOptions options;
    options.format = choice<ImportFormat>(o, "format",
                                          {{"auto", ImportFormat::Auto}, {"alpaca", ImportFormat::Alpaca},
                                           {"sharegpt", ImportFormat::ShareGpt}, {"messages", ImportFormat::Messages},
                                           {"csv", ImportFormat::Csv}, {"tsv", ImportFormat::Tsv}});
    options.longConversations = choice<LongConversations>(
        o, "long-conversations",
        {{"first", LongConversations::FirstPair}, {"each", LongConversations::EachPair}, {"skip", LongConversations::Skip}});
    options.system = choice<SystemMessage>(o, "system", {{"prefix", SystemMessage::Prefix}, {"drop", SystemMessage::Drop}});
    if (o.isSet("instruction") || o.isSet("input") || o.isSet("output")) {
        const ImportFormat format = options.format == ImportFormat::Auto ? detectImportFormat(in) : options.format;
        if (format != ImportFormat::Csv && format != ImportFormat::Tsv)
            throw UsageError("--instruction, --input and --output name table columns; " + in + " is read as " +
                             std::string(importFormatName(format)));
        options.format = format;
        options.columns = chosenColumns(o, in, format);
    }

    const ImportResult result = importDataset(in, options);
    FileForm form;
    if (QString::fromStdString(out).endsWith(".jsonl", Qt::CaseInsensitive)) {
        form.jsonLines = true;
        form.indent.clear();
        form.finalNewline = true;
    }
    DatasetDocument::fromItems(result.items, form).saveAs(out);

    std::printf("format: %s\n", std::string(importFormatName(result.format)).c_str());
    if (result.format == ImportFormat::ShareGpt || result.format == ImportFormat::Messages) {
        std::printf("conversations: %zu\n", result.conversations);
        std::printf("long conversations: %zu\n", result.longConversations);
        std::printf("skipped: %zu\n", result.skipped);
    }
    for (const std::string& note : result.notes)
        std::printf("note: %s\n", note.c_str());
    std::printf("entries written: %zu to %s\n", result.items.size(), out.c_str());
    return 0;
}

} // namespace sft::cli
