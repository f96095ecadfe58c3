#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"

#include <cstdio>
#include <cstdlib>

namespace sft::cli {

namespace {

std::string tokenizerDir(const Options& options)
{
    if (options.isSet("tokenizer"))
        return options.text("tokenizer");
    if (const char* env = std::getenv("SFT_TOKENIZER_DIR"); env && *env)
        return env;
    throw ConfigError("no tokenizer given: pass --tokenizer DIR (a folder with encoder.json + vocab.bpe, "
                      "or vocab.json + merges.txt) or set SFT_TOKENIZER_DIR");
}

std::string idLine(const std::vector<int>& ids)
{
    std::string line;
    for (const int id : ids)
        line += (line.empty() ? "" : " ") + std::to_string(id);
    return line + "\n";
}

} // namespace

int cmdTokenize(const QStringList& args)
{
    Options options("tokenize", "Prints GPT-2 token IDs, space-separated: of TEXT, or one line per dataset entry "
                                "(its full prompt and response as the template writes them, no end-of-text).");
    options.add("tokenizer", "Folder with encoder.json + vocab.bpe or vocab.json + merges.txt "
                             "(default: $SFT_TOKENIZER_DIR).", "DIR");
    options.add("data", "An Alpaca-style dataset (JSON or JSON Lines): one line per entry.", "FILE");
    options.add("template", "Prompt template for --data: alpaca, phi3 or a template file.", "NAME", "alpaca");
    options.add("allow-special", "Read <|endoftext|> in the text as the special token 50256.");
    options.addPositional("TEXT", "The text to tokenize (one argument: quote it), unless --data is given.");
    if (!options.parse(args))
        return 0;
    const QStringList texts = options.positional();
    const bool fromData = options.isSet("data");
    if (fromData && !texts.isEmpty())
        throw UsageError("give either TEXT or --data, not both");
    if (!fromData && texts.size() != 1)
        throw UsageError(texts.isEmpty() ? "nothing to tokenize: give TEXT or --data FILE"
                                         : "give the text as one argument (quote it)");

    const Tokenizer tokenizer = Tokenizer::fromDirectory(tokenizerDir(options));
    const bool allowSpecial = options.isSet("allow-special");
    std::string out;
    if (fromData) {
        const PromptTemplate format = PromptTemplate::byName(options.text("template"));
        for (const Entry& entry : loadDataset(options.text("data")).entries)
            out += idLine(tokenizer.encode(format.full(entry), allowSpecial));
    } else {
        out = idLine(tokenizer.encode(texts.front().toStdString(), allowSpecial));
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

} // namespace sft::cli
