#include "core/hub/model_download.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <QLockFile>

namespace sft {

QUrl hubEndpoint(const std::string& option)
{
    QString text = QString::fromStdString(option);
    if (text.isEmpty())
        text = qEnvironmentVariable("SFT_HF_ENDPOINT", "https://huggingface.co");
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || (url.scheme() != "https" && url.scheme() != "http"))
        throw ConfigError("the hub endpoint '" + text.toStdString() +
                          "' is not an http(s) address; give one like https://huggingface.co (--endpoint or "
                          "SFT_HF_ENDPOINT)");
    return url;
}

QUrl hubFileUrl(const QUrl& endpoint, const std::string& repo, const std::string& file)
{
    QUrl url = endpoint;
    QString path = url.path();
    if (!path.endsWith('/'))
        path += '/';
    url.setPath(path + QString::fromStdString(repo + "/resolve/main/" + file));
    return url;
}

ModelDownload downloadModel(const CatalogModel& model, const ModelCache& cache, const QUrl& endpoint,
                            const DownloadTimeouts& timeouts, const ModelDownloadProgressFn& onProgress,
                            const JobControl* job)
{
    ModelDownload result{cache.folder(model), {}, {}};
    makeDirectories(result.folder);
    // Two downloads into one .part would interleave their bytes.
    QLockFile lock(QString::fromStdString(cache.root() + "/." + model.name + ".lock"));
    if (!lock.tryLock(0))
        throw IoError(model.name + " is being downloaded by another sft-studio right now (lock " + cache.root() + "/." +
                      model.name + ".lock); wait for it to finish");
    const std::vector<std::string>& files = modelFileNames();
    for (size_t i = 0; i < files.size(); ++i) {
        const std::string destination = result.folder + "/" + files[i];
        if (fileExists(destination))
            continue;
        const auto onTransfer = [&](const DownloadProgress& transfer) {
            if (onProgress)
                onProgress({files[i], int(i), int(files.size()), transfer});
        };
        const DownloadOutcome outcome =
            downloadFile(hubFileUrl(endpoint, model.repo, files[i]), destination, timeouts, onTransfer, job);
        result.fetched.push_back(files[i]);
        if (!outcome.checksum.announced())
            result.unverified.push_back(files[i]);
    }
    return result;
}

} // namespace sft
