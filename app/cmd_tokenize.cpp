#include "app/cli_support.h"
#include "app/commands.h"
#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"

#include <cstdio>

namespace sft::cli {

namespace {

Tokenizer chosenTokenizer(const Options& options)
{
    if (options.isSet("model"))
        return loadTokenizer(resolveModel(options.text("model")), options.text("tokenizer"));
    if (options.isSet("tokenizer"))
        return Tokenizer::fromDirectory(options.text("tokenizer"));
    return defaultTokenizer();
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
    options.add("tokenizer", "Folder with encoder.json + vocab.bpe or vocab.json + merges.txt (default: the "
                             "--model folder's, else $SFT_TOKENIZER_DIR, else a downloaded GPT-2's).", "DIR");
    options.add("model", "Use this model folder's (or downloaded model's) tokenizer.", "DIR");
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

    const Tokenizer tokenizer = chosenTokenizer(options);
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
