// Importing other forms of instruction data: ShareGPT and OpenAI chat conversations (system
// messages, several pairs, unanswered turns, text parts), CSV and TSV tables (RFC 4180 quoting,
// line breaks in fields, CRLF, byte-order mark, column names and aliases), format detection, the
// errors that name line or entry and field, and `sft-studio import-data` writing a loadable file.

#include "core/data/dataset.h"
#include "core/data/dataset_import.h"
#include "core/util/error.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

using namespace sft;
using nlohmann::ordered_json;
using test::runStudio;

namespace {

// Three conversations with a pair each or more, one that never gets an answer; a system
// message, a greeting before the first question, non-ASCII and quotes.
const std::string kShareGpt = R"([
  {"conversations": [
    {"from": "system", "value": "You are terse."},
    {"from": "human", "value": "Übersetze \"Haus\"."},
    {"from": "gpt", "value": "house"},
    {"from": "human", "value": "And \"Baum\"?"},
    {"from": "gpt", "value": "tree"}]},
  {"conversations": [{"from": "user", "value": "Name a prime."}, {"from": "assistant", "value": "7"}]},
  {"conversations": [
    {"from": "gpt", "value": "Hello! How can I help?"},
    {"from": "human", "value": "2+2?"},
    {"from": "gpt", "value": "4"}]},
  {"id": "x", "conversations": [{"from": "human", "value": "unanswered"}]}
])";

// JSON Lines with a blank line (line numbers count it), text parts, a system message that
// arrives mid-conversation.
const std::string kMessages =
    R"({"messages": [{"role": "developer", "content": "Answer in French."}, {"role": "user", "content": [{"type": "text", "text": "Say"}, {"type": "text", "text": "hello, \"world\""}]}, {"role": "assistant", "content": "Bonjour, « monde »"}]})"
    "\n\n"
    R"({"messages": [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}, {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q2"}, {"role": "assistant", "content": [{"type": "text", "text": "A2"}]}]})"
    "\n";

// As Excel writes "CSV UTF-8" on Windows: byte-order mark, CRLF, quotes doubled, line breaks
// and commas inside quotes; a blank line; an extra column.
const std::string kCsv = "\xEF\xBB\xBF"
                         "Prompt,Context,Response,category\r\n"
                         "\"Say \"\"hi\"\", politely\",,\"Hello, friend.\",greeting\r\n"
                         "\"Two\r\nlines\",ctx,Zwei Zeilen – ok,misc\r\n"
                         "\r\n"
                         "plain,\"\",\"multi\nline, with comma\",x\r\n";

ordered_json item(const std::string& instruction, const std::string& input, const std::string& output)
{
    return ordered_json{{"instruction", instruction}, {"input", input}, {"output", output}};
}

// Items as one JSON text, so a failed comparison shows both sides and checks the key order.
QString dump(const std::vector<ordered_json>& items)
{
    return QString::fromStdString(ordered_json(items).dump(1));
}

class Files {
public:
    std::string write(const std::string& name, const std::string& bytes) const
    {
        const std::string path = pathOf(name);
        writeFileAtomic(path, bytes);
        return path;
    }
    std::string pathOf(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }

private:
    QTemporaryDir dir_;
};

// The message of the error importing `path` throws, "" when it imports.
template <typename E = DatasetError>
std::string importError(const std::string& path, const ImportOptions& options = {})
{
    try {
        importDataset(path, options);
    } catch (const E& e) {
        return e.what();
    }
    return "";
}

ImportOptions withFormat(ImportFormat format)
{
    ImportOptions options;
    options.format = format;
    return options;
}

} // namespace

class TestDatasetImport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shareGptKeepsTheFirstPairWithTheSystemPrefix()
    {
        const Files files;
        const ImportResult r = importDataset(files.write("chat.json", kShareGpt));
        QCOMPARE(r.format, ImportFormat::ShareGpt);
        QCOMPARE(dump(r.items), dump({item("You are terse.\n\nÜbersetze \"Haus\".", "", "house"),
                                      item("Name a prime.", "", "7"), item("2+2?", "", "4")}));
        QCOMPARE(r.conversations, size_t(4));
        QCOMPARE(r.longConversations, size_t(1));
        QCOMPARE(r.skipped, size_t(1));
        QCOMPARE(r.notes, (std::vector<std::string>{
                              "1 of 4 conversations has more than one user/assistant pair: kept the first pair of each",
                              "1 conversation has no user turn answered by the assistant: skipped (entry 3)",
                              "1 conversation has a system message: it prefixes the instruction"}));
    }

    void shareGptEachPairSkipAndDroppedSystem()
    {
        const Files files;
        const std::string path = files.write("chat.json", kShareGpt);
        ImportOptions options;
        options.longConversations = LongConversations::EachPair;
        ImportResult r = importDataset(path, options);
        QCOMPARE(dump(r.items), dump({item("You are terse.\n\nÜbersetze \"Haus\".", "", "house"),
                                      item("You are terse.\n\nAnd \"Baum\"?", "", "tree"),
                                      item("Name a prime.", "", "7"), item("2+2?", "", "4")}));
        QCOMPARE(r.skipped, size_t(1));

        options.longConversations = LongConversations::Skip;
        r = importDataset(path, options);
        QCOMPARE(dump(r.items), dump({item("Name a prime.", "", "7"), item("2+2?", "", "4")}));
        QCOMPARE(r.longConversations, size_t(1));
        QCOMPARE(r.skipped, size_t(2));
        QCOMPARE(r.notes.front(), std::string("1 of 4 conversations has more than one user/assistant pair: skipped them"));

        options.longConversations = LongConversations::FirstPair;
        options.system = SystemMessage::Drop;
        r = importDataset(path, options);
        QCOMPARE(r.items.front(), item("Übersetze \"Haus\".", "", "house"));
        QCOMPARE(r.notes.back(), std::string("1 conversation has a system message: dropped"));
    }

    void messagesJoinTextPartsAndFollowTheLatestSystemMessage()
    {
        const Files files;
        const std::string path = files.write("chat.jsonl", kMessages);
        const ImportResult first = importDataset(path);
        QCOMPARE(first.format, ImportFormat::Messages);
        QCOMPARE(dump(first.items), dump({item("Answer in French.\n\nSay\nhello, \"world\"", "", "Bonjour, « monde »"),
                                          item("Q1", "", "A1")}));
        ImportOptions options;
        options.longConversations = LongConversations::EachPair;
        const ImportResult each = importDataset(path, options);
        QCOMPARE(dump(each.items), dump({item("Answer in French.\n\nSay\nhello, \"world\"", "", "Bonjour, « monde »"),
                                         item("Q1", "", "A1"), item("Be brief.\n\nQ2", "", "A2")}));
        QCOMPARE(each.conversations, size_t(2));
        QCOMPARE(each.longConversations, size_t(1));
        QCOMPARE(each.notes.back(), std::string("2 conversations have a system message: it prefixes the instruction"));
    }

    void malformedConversationsNameEntryOrLineAndField()
    {
        const Files files;
        const auto error = [&](const std::string& bytes, ImportFormat format = ImportFormat::Auto) {
            const std::string path = files.write(format == ImportFormat::Messages ? "bad.jsonl" : "bad.json", bytes);
            return QString::fromStdString(importError(path, withFormat(format)).substr(path.size()));
        };
        const std::string good = R"({"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"}]})";
        QCOMPARE(error("[" + good + R"(, {"conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "a"},
                  {"from": "bot", "value": "?"}]}])"),
                 QString(": entry 1: field 'conversations' turn 2: 'from' must be one of system, human, gpt, user, "
                         "assistant, not 'bot'"));
        QCOMPARE(error(R"([{"conversations": [{"from": "human"}]}])"),
                 QString(": entry 0: field 'conversations' turn 0: 'value' is missing"));
        QCOMPARE(error(R"([{"conversations": [{"from": "human", "value": 5}]}])"),
                 QString(": entry 0: field 'conversations' turn 0: 'value' must be text, not number"));
        QCOMPARE(error(R"([{"conversations": [{"value": "q"}]}])"),
                 QString(": entry 0: field 'conversations' turn 0: 'from' is missing"));
        QCOMPARE(error(R"([{"conversations": ["hi"]}])"),
                 QString(": entry 0: field 'conversations' turn 0: must be an object with 'from' and 'value', not string"));
        QCOMPARE(error(R"([{"conversations": {"from": "human"}}])"),
                 QString(": entry 0: field 'conversations' must be a list of turns, not object"));
        QCOMPARE(error("[" + good + R"(, {"messages": []}])"), QString(": entry 1: field 'conversations' is missing"));
        QCOMPARE(error("[" + good + ", 3]"), QString(": entry 1: is a JSON number, not an object with 'conversations'"));

        const std::string user = R"({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})";
        QCOMPARE(error(user + "\n\n" +
                           R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "Look:"}, {"type": "image_url", "image_url": {"url": "x.png"}}]}]})",
                       ImportFormat::Messages),
                 QString(": line 3: field 'messages' turn 0: 'content' part 1 has type \"image_url\"; only text parts "
                         "can be imported"));
        QCOMPARE(error(R"({"messages": [{"role": "tool", "content": "42"}]})", ImportFormat::Messages),
                 QString(": line 1: field 'messages' turn 0: 'role' must be one of system, developer, user, assistant, "
                         "not 'tool'"));
        QCOMPARE(error(R"({"messages": [{"role": "assistant", "content": null}]})", ImportFormat::Messages),
                 QString(": line 1: field 'messages' turn 0: 'content' must be text or a list of text parts, not null"));
        QCOMPARE(error(R"({"messages": [{"role": "user", "content": ["q"]}]})", ImportFormat::Messages),
                 QString(": line 1: field 'messages' turn 0: 'content' part 0 must be an object {\"type\": \"text\", "
                         "\"text\": ...}, not string"));
        QCOMPARE(error(R"({"messages": [{"role": "user", "content": [{"text": "q"}, {"type": "text"}]}]})", ImportFormat::Messages),
                 QString(": line 1: field 'messages' turn 0: 'content' part 0 has type none; only text parts can be imported"));
        QCOMPARE(error(R"({"messages": [{"role": "user", "content": [{"type": "text", "text": 1}]}]})", ImportFormat::Messages),
                 QString(": line 1: field 'messages' turn 0: 'content' part 0 needs a text field 'text'"));
        QCOMPARE(error(R"([{"conversations": [{"from": 5, "value": "q"}]}])"),
                 QString(": entry 0: field 'conversations' turn 0: 'from' must be one of system, human, gpt, user, "
                         "assistant, not 5"));
        QCOMPARE(error(R"([{"conversations": 1e999}])"), QString(": not valid JSON: number overflow parsing '1e999'"));
        QVERIFY(error(user + "\n{\"messages\": [}\n", ImportFormat::Messages).startsWith(": line 2: not valid JSON at column 15: "));
        QVERIFY(error("[\n" + good + ",\n  {\"conversations\" []}\n]").startsWith(": not valid JSON at line 3, column 20: "));
        QCOMPARE(error("{\n" + good.substr(1)),
                 QString(": the top level is a JSON object, not a list of entries; expected a JSON array of objects or "
                         "JSON Lines (one object per line)"));
        QCOMPARE(error("[]"), QString(": the file holds no entries"));
        QCOMPARE(error(R"([{"conversations": [{"from": "human", "value": "q"}]}])"),
                 QString(": nothing to import: no conversation gave an entry (1 conversation has no user turn answered "
                         "by the assistant: skipped (entry 0))"));
        QCOMPARE(error(R"([{"prompt": "q", "chosen": "a"}])"),
                 QString(": cannot tell the format from the keys of entry 0 ('chosen', 'prompt'): expected "
                         "'conversations' (ShareGPT), 'messages' (OpenAI chat) or 'instruction' (Alpaca)"));
    }

    void csvWithQuotesLineBreaksCrlfAndAliases()
    {
        const Files files;
        const ImportResult r = importDataset(files.write("table.CSV", kCsv));
        QCOMPARE(r.format, ImportFormat::Csv);
        QCOMPARE(dump(r.items), dump({item("Say \"hi\", politely", "", "Hello, friend."),
                                      item("Two\nlines", "ctx", "Zwei Zeilen – ok"),
                                      item("plain", "", "multi\nline, with comma")}));
        QVERIFY(r.columns);
        QCOMPARE(r.columns->instruction, std::string("Prompt"));
        QCOMPARE(r.columns->input, std::string("Context"));
        QCOMPARE(r.columns->output, std::string("Response"));
        QCOMPARE(r.notes, (std::vector<std::string>{
                              "columns: instruction from 'Prompt', input from 'Context', output from 'Response'",
                              "columns not imported: 'category'"}));
        QCOMPARE(r.conversations, size_t(0));
    }

    void tsvWithAChosenMapping()
    {
        const Files files;
        // pandas' unnamed index column first; a quoted tab and doubled quotes; no final newline.
        const std::string path = files.write("table.tsv", "\tq\ta\tnotes\n"
                                                          "0\t\"tab\there\"\t\"quote \"\"x\"\"\"\t\n"
                                                          "1\tplain q\tplain a\tn");
        ImportOptions options;
        options.columns = ColumnMapping{"Q", "", "a"};
        const ImportResult r = importDataset(path, options);
        QCOMPARE(r.format, ImportFormat::Tsv);
        QCOMPARE(dump(r.items), dump({item("tab\there", "", "quote \"x\""), item("plain q", "", "plain a")}));
        QCOMPARE(r.notes, (std::vector<std::string>{"columns: instruction from 'q', output from 'a'; no input column, "
                                                    "inputs left empty",
                                                    "columns not imported: 'notes'"}));
        QCOMPARE(csvHeader(path, '\t'), (std::vector<std::string>{"", "q", "a", "notes"}));
        // The same file read as CSV is one column wide: no instruction column by any name.
        QVERIFY(importError(path, withFormat(ImportFormat::Csv)).find("no column for the instruction") != std::string::npos);
    }

    void tableErrorsNameLineAndColumn()
    {
        const Files files;
        const auto error = [&](const std::string& bytes, const ImportOptions& options = {}) {
            const std::string path = files.write("bad.csv", bytes);
            return QString::fromStdString(importError(path, options).substr(path.size()));
        };
        QCOMPARE(error("instruction,output\nx,\"open\nmore\n"),
                 QString(": line 2: column 2: the quoted field never closes (a quote inside a quoted field is written "
                         "twice: \"\")"));
        QCOMPARE(error("instruction,output\n\"a\"b,c\n"),
                 QString(": line 2: column 1: text after the closing quote (a quote inside a quoted field is written "
                         "twice: \"\")"));
        QCOMPARE(error("instruction,input,output\n\"q\nq\",,o\nonly,two\n"),
                 QString(": line 4: 2 fields, but the header has 3 columns (a field holding a comma or a line break "
                         "must be in double quotes)"));
        ImportOptions mapped;
        mapped.columns = ColumnMapping{"question", "", "output"};
        QCOMPARE(error("instruction,output\nq,a\n", mapped),
                 QString(": line 1: the header has no column 'question'; its columns are 'instruction', 'output'"));
        QCOMPARE(error("\n\n,,\nx,y,z\n"), QString(": line 3: the header row is empty; the first row must name the columns"));
        QCOMPARE(error(""), QString(": the file is empty; a table needs a header row naming its columns"));
        QCOMPARE(error("foo,bar\n1,2\n"),
                 QString(": line 1: no column for the instruction: none of 'foo', 'bar' is called instruction, prompt, "
                         "question or query; choose which column holds it"));
        QCOMPARE(error("instruction,output,OUTPUT\na,b,c\n"),
                 QString(": line 1: column 'output' appears twice in the header (columns 2 and 3)"));
        QCOMPARE(error("instruction,output\n"), QString(": the table has a header row but no rows of data"));
        const std::string tsv = files.write("bad.tsv", "instruction\toutput\nq\ta\tb\n");
        QCOMPARE(importError(tsv).substr(tsv.size()),
                 std::string(": line 2: 3 fields, but the header has 2 columns (a field holding a tab or a line break "
                             "must be in double quotes)"));
        QCOMPARE(error("instruction,output\ncaf\xE9,x\n"),
                 QString(": invalid UTF-8 at byte offset 22 (line 2); save the file as UTF-8"));

        mapped.columns = ColumnMapping{"instruction", "", ""};
        const std::string path = files.write("no-output.csv", "instruction,output\nq,a\n");
        QCOMPARE(QString::fromStdString(importError<ConfigError>(path, mapped)),
                 QString::fromStdString(path + ": the column mapping names no output column"));
    }

    void columnsAreGuessedByTheirUsualNames()
    {
        const ColumnMapping aliases = guessColumnMapping({"Question", " ANSWER ", "context"});
        QCOMPARE(aliases.instruction, std::string("Question"));
        QCOMPARE(aliases.input, std::string("context"));
        QCOMPARE(aliases.output, std::string(" ANSWER "));
        const ColumnMapping preferred = guessColumnMapping({"prompt", "completion", "instruction", "output"});
        QCOMPARE(preferred.instruction, std::string("instruction"));
        QCOMPARE(preferred.output, std::string("output"));
        QVERIFY(preferred.input.empty());
        const ColumnMapping none = guessColumnMapping({"x", "y"});
        QVERIFY(none.instruction.empty() && none.output.empty());
    }

    void formatIsDetectedByNameOrFirstItem()
    {
        const Files files;
        QCOMPARE(detectImportFormat(files.write("a.csv", "x")), ImportFormat::Csv);
        QCOMPARE(detectImportFormat(files.write("a.TSV", "x")), ImportFormat::Tsv);
        QCOMPARE(detectImportFormat(files.write("chat.json", kShareGpt)), ImportFormat::ShareGpt);
        QCOMPARE(detectImportFormat(files.write("chat.data", kMessages)), ImportFormat::Messages);
        QCOMPARE(detectImportFormat(files.write("alpaca.json", "\xEF\xBB\xBF[{\"instruction\": \"i\", \"output\": \"o\"}]")),
                 ImportFormat::Alpaca);
        QCOMPARE(importFormatName(ImportFormat::Messages), std::string_view("OpenAI messages"));
    }

    void alpacaIsNormalised()
    {
        const Files files;
        const ImportResult r = importDataset(files.write(
            "alpaca.jsonl", "{\"output\": \"o\", \"id\": 7, \"instruction\": \"i\", \"input\": null}\n"
                            "{\"instruction\": \"j\", \"input\": \"k\", \"output\": \"\"}\n"));
        QCOMPARE(r.format, ImportFormat::Alpaca);
        QCOMPARE(dump(r.items), dump({item("i", "", "o"), item("j", "k", "")}));
        QCOMPARE(r.notes, std::vector<std::string>{"1 warning, the first: line 2: field 'output' is empty"});
        QVERIFY(importError(files.write("bad.json", R"([{"instruction": "i"}])"), withFormat(ImportFormat::Alpaca))
                    .find("entry 0: field 'output' is missing") != std::string::npos);
    }

    void cliWritesALoadableDataset()
    {
        const Files files;
        const std::string in = files.write("chat.json", kShareGpt);
        const std::string out = files.pathOf("alpaca.json");
        const auto r = runStudio({"import-data", QString::fromStdString(in), "--out", QString::fromStdString(out),
                                  "--long-conversations", "each"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("format: ShareGPT\nconversations: 4\nlong conversations: 1\nskipped: 1\n"), qPrintable(r.out));
        QVERIFY2(r.out.contains("note: 1 of 4 conversations has more than one user/assistant pair: each pair became an "
                                "entry of its own\n"),
                 qPrintable(r.out));
        QVERIFY(r.out.contains(QString::fromStdString("entries written: 4 to " + out + "\n")));
        const Dataset written = loadDataset(out);
        QCOMPARE(written.entries.size(), size_t(4));
        QCOMPARE(written.entries[1].instruction, std::string("You are terse.\n\nAnd \"Baum\"?"));
        QCOMPARE(dump({ordered_json::parse(readFile(out))[3]}), dump({item("2+2?", "", "4")}));
    }

    void cliMapsColumnsAndWritesJsonLines()
    {
        const Files files;
        const std::string in = files.write("table.csv", "id,q,context,a\n1,\"first, q\",ignored,\"first\na\"\n");
        const std::string out = files.pathOf("out.jsonl");
        const auto r = runStudio({"import-data", QString::fromStdString(in), "--out", QString::fromStdString(out),
                                  "--instruction", "q", "--output", "a", "--input", ""});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("format: CSV\nnote: columns: instruction from 'q', output from 'a'; no input column"),
                 qPrintable(r.out));
        QCOMPARE(readFile(out), std::string(R"({"instruction": "first, q", "input": "", "output": "first\na"})") + "\n");
        QCOMPARE(loadDataset(out).entries.size(), size_t(1));
    }

    void cliRefusesWithOneClearMessage()
    {
        const Files files;
        const QString chat = QString::fromStdString(files.write("chat.json", kShareGpt));
        const QString out = QString::fromStdString(files.pathOf("out.json"));
        const auto badChoice = runStudio({"import-data", chat, "--out", out, "--long-conversations", "all"});
        QCOMPARE(badChoice.exitCode, 2);
        QVERIFY2(badChoice.err.contains("--long-conversations must be one of first, each, skip, not 'all'"),
                 qPrintable(badChoice.err));
        const auto columnsOfJson = runStudio({"import-data", chat, "--out", out, "--instruction", "q"});
        QCOMPARE(columnsOfJson.exitCode, 2);
        QVERIFY2(columnsOfJson.err.contains("name table columns; " + chat + " is read as ShareGPT"),
                 qPrintable(columnsOfJson.err));
        QCOMPARE(runStudio({"import-data", chat}).exitCode, 2);
        QCOMPARE(runStudio({"import-data", chat, "--out", chat}).exitCode, 2);

        const std::string bad = files.write("bad.json", R"([{"conversations": [{"from": "bot", "value": "?"}]}])");
        const auto malformed = runStudio({"import-data", QString::fromStdString(bad), "--out", out});
        QCOMPARE(malformed.exitCode, 1);
        QCOMPARE(malformed.err, QString::fromStdString("sft-studio: error: " + bad +
                                                       ": entry 0: field 'conversations' turn 0: 'from' must be one of "
                                                       "system, human, gpt, user, assistant, not 'bot'\n"));
        QVERIFY(!QFile::exists(out));
        const auto noColumn = runStudio({"import-data", QString::fromStdString(files.write("t.csv", "x,a\n1,2\n")),
                                         "--out", out, "--output", "a"});
        QCOMPARE(noColumn.exitCode, 2);
        QVERIFY2(noColumn.err.contains("cannot tell which column of " + QString::fromStdString(files.pathOf("t.csv")) +
                                       " holds the instruction; name it with --instruction"),
                 qPrintable(noColumn.err));
    }
};

QTEST_GUILESS_MAIN(TestDatasetImport)
#include "test_dataset_import.moc"
