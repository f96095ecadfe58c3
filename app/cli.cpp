#include "app/cli.h"

#include "app/cli_man_page.h"
#include "app/cli_support.h"
#include "app/commands.h"
#include "core/model/threads.h"
#include "core/train/version_text.h"
#include "core/util/error.h"

#include <c10/util/Exception.h>

#include <cstdio>
#include <exception>

namespace sft::cli {

const std::vector<Command>& commands()
{
    static const std::vector<Command> all = {
        {"init", "make a model folder with random GPT-2 weights", cmdInit},
        {"tokenize", "print GPT-2 token IDs of a text or of every dataset entry", cmdTokenize},
        {"dataset", "check a dataset: entries, split, invalid entries, token lengths; fetch the chapter-7 file", cmdDataset},
        {"import-data", "convert ShareGPT, OpenAI chat, CSV or TSV data to an Alpaca dataset", cmdImportData},
        {"logits", "print a model's logits for token IDs as JSON", cmdLogits},
        {"eval-loss", "print a model's mean loss on a dataset split", cmdEvalLoss},
        {"train", "fine-tune a model on an instruction dataset", cmdTrain},
        {"runs", "list the runs in folders: status, steps, validation loss (a killed run shows as failed)", cmdRuns},
        {"respond", "write the model's answers for a dataset split", cmdRespond},
        {"generate", "continue one prompt", cmdGenerate},
        {"download", "fetch a pretrained GPT-2 into the model cache (resumable)", cmdDownload},
        {"export", "write a model as a Hugging Face folder, or as GGUF with an Ollama Modelfile", cmdExport},
        {"score", "have an LLM judge score each answer 0-100 (resumable)", cmdScore},
        {"make-preferences", "make DPO preference data: a local model rewrites each answer (resumable)",
         cmdMakePreferences},
        {"generate-data", "make new instruction/response pairs with a local model, as the book's notebook (resumable)",
         cmdGenerateData},
        {"compare-judge", "have an LLM judge pick the better of two answers, in both orders", cmdCompareJudge},
        {"agreement", "Pearson, Spearman and Kendall tau between two judges' scores", cmdAgreement},
    };
    return all;
}

bool isSubcommand(const QString& word)
{
    for (const Command& c : commands())
        if (c.name == word)
            return true;
    return word == "help" || word == "--help" || word == "-h" || word == "--version";
}

QString usageText()
{
    QString text = "Usage: sft-studio [DATASET|RUNDIR]        open the desktop app\n"
                   "       sft-studio SUBCOMMAND [OPTIONS]     run headless\n"
                   "       sft-studio --version                versions, BLAS and threads in use\n"
                   "       sft-studio help [--man]             this text [as a manual page]\n\nSubcommands:\n";
    for (const Command& c : commands())
        text += QString("  %1 %2\n").arg(c.name, -14).arg(c.summary);
    return text + "\n'sft-studio SUBCOMMAND --help' describes each one.\n";
}

namespace {

void printUsage(FILE* out) { std::fputs(usageText().toLocal8Bit().constData(), out); }

int fail(const std::string& message, int code)
{
    std::fprintf(stderr, "sft-studio: error: %s\n", message.c_str());
    return code;
}

} // namespace

int run(const QStringList& args)
{
    const QString name = args.value(0);
    if (name == "help" || name == "--help" || name == "-h") {
        if (args.value(1) == "--man")
            std::fputs(manPage().toUtf8().constData(), stdout);
        else
            printUsage(stdout);
        return 0;
    }
    if (name == "--version") {
        useAllCores(); // the thread count reported is the one commands run with
        std::fputs(versionText().c_str(), stdout);
        return 0;
    }
    for (const Command& c : commands()) {
        if (c.name != name)
            continue;
        try {
            useAllCores();
            return c.run(args);
        } catch (const UsageError& e) {
            return fail(std::string(e.what()) + " (see 'sft-studio " + name.toStdString() + " --help')", 2);
        } catch (const Cancelled&) {
            return fail("cancelled", 130);
        } catch (const Error& e) {
            return fail(e.what(), 1);
        } catch (const c10::Error& e) {
            return fail(e.what_without_backtrace(), 1);
        } catch (const std::bad_alloc&) {
            return fail("out of memory", 1);
        } catch (const std::exception& e) {
            return fail(e.what(), 1);
        }
    }
    printUsage(stderr);
    return fail("unknown subcommand '" + name.toStdString() + "'", 2);
}

} // namespace sft::cli
