// sft-studio download: a pretrained GPT-2 from the Hugging Face hub (or a mirror) into the
// model cache, so that `--model NAME` finds it.

#include "app/cli_support.h"
#include "app/commands.h"
#include "core/hub/model_download.h"
#include "core/net/url.h"
#include "core/util/error.h"

#include <QFileInfo>
#include <QLocale>

#include <cstdio>
#include <memory>

namespace sft::cli {

namespace {

std::string dataSize(int64_t bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat).toStdString();
}

std::string catalogList()
{
    std::string list;
    for (const CatalogModel& model : modelCatalog())
        list += "\n  " + model.name + "  (" + model.parameters + " parameters, about " +
                QString::number(double(model.approxBytes) / 1e9, 'g', 2).toStdString() + " GB)";
    return list;
}

std::string joined(const std::vector<std::string>& names)
{
    std::string text;
    for (const std::string& name : names)
        text += (text.empty() ? "" : ", ") + name;
    return text;
}

const CatalogModel& chosenModel(const QStringList& positional)
{
    if (positional.size() != 1)
        throw UsageError("name one model to download:" + catalogList());
    const std::string name = positional.first().toStdString();
    const CatalogModel* model = findCatalogModel(name);
    if (!model)
        throw UsageError("unknown model '" + name + "'; the models are:" + catalogList());
    return *model;
}

// One bar per file and phase; says when a file continues an earlier attempt.
class DownloadReport {
public:
    void update(const ModelFileProgress& p)
    {
        if (p.file != file_ || p.transfer.phase != phase_ || !bar_)
            begin(p);
        const bool verifying = p.transfer.phase == DownloadProgress::Phase::Verifying;
        const std::string label = (verifying ? "verifying " : "") + p.file + " (" + std::to_string(p.index + 1) +
                                  "/" + std::to_string(p.count) + ")";
        bar_->update(p.transfer.bytes, p.transfer.total, label);
    }

    // After Ctrl-C: what is kept and how to continue.
    void interrupted(const std::string& folder, const std::string& model)
    {
        const std::string part = folder + "/" + file_ + ".part";
        const QFileInfo kept(QString::fromStdString(part));
        std::string line = "interrupted; ";
        if (!file_.empty() && kept.exists())
            line += part + " keeps " + dataSize(kept.size()) + ", ";
        message(line + "run `sft-studio download " + model + "` again to resume");
    }

    void finish() { bar_.reset(); }

    void message(const std::string& line)
    {
        if (bar_)
            bar_->message(line);
        else
            std::fprintf(stderr, "%s\n", line.c_str());
    }

private:
    void begin(const ModelFileProgress& p)
    {
        bar_.reset();
        file_ = p.file;
        phase_ = p.transfer.phase;
        bar_ = std::make_unique<Progress>("bytes", Progress::Amounts::Bytes);
        if (phase_ == DownloadProgress::Phase::Receiving && p.transfer.resumedFrom > 0) {
            bar_->message("resuming " + p.file + " after " + dataSize(p.transfer.resumedFrom));
            bar_->resumeFrom(p.transfer.resumedFrom);
        }
    }

    std::unique_ptr<Progress> bar_;
    std::string file_;
    DownloadProgress::Phase phase_ = DownloadProgress::Phase::Receiving;
};

} // namespace

int cmdDownload(const QStringList& args)
{
    Options options("download", "Downloads a pretrained GPT-2 from the Hugging Face hub into the model cache: "
                                "config.json, model.safetensors, vocab.json, merges.txt, each verified against the "
                                "checksum the hub announces. An interrupted download resumes when run again. "
                                "Afterwards `--model NAME` finds the model. Prints the model folder.");
    options.addPositional("NAME", "gpt2-small, gpt2-medium, gpt2-large or gpt2-xl.");
    options.add("cache", "Model cache folder (default: $SFT_CACHE_DIR, else ~/.cache/sft-studio/models).", "DIR");
    options.add("endpoint", "Hugging Face hub or mirror (default: $SFT_HF_ENDPOINT, else https://huggingface.co).",
                "URL");
    if (!options.parse(args))
        return 0;
    const CatalogModel& model = chosenModel(options.positional());
    const ModelCache cache(options.text("cache"));
    const std::string endpoint = hubEndpoint(options.text("endpoint"));

    DownloadReport report;
    ModelDownload result;
    try {
        result = downloadModel(model, cache, endpoint, DownloadTimeouts{},
                               [&](const ModelFileProgress& p) { report.update(p); }, &interruptibleJob());
    } catch (const Cancelled&) {
        report.interrupted(cache.folder(model), model.name);
        throw;
    }
    report.finish();
    if (result.fetched.empty())
        report.message(model.name + " is already downloaded");
    if (!result.unverified.empty())
        report.message("note: " + shownUrl(endpoint) + " announced no checksum for " +
                       joined(result.unverified) + "; not verified");
    std::printf("%s\n", result.folder.c_str());
    return 0;
}

} // namespace sft::cli
