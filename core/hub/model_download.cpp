#include "core/hub/model_download.h"

#include "core/net/url.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <QLockFile>

namespace sft {

std::string hubEndpoint(const std::string& option)
{
    const std::string url =
        option.empty() ? qEnvironmentVariable("SFT_HF_ENDPOINT", "https://huggingface.co").toStdString() : option;
    if (!isHttpUrl(url))
        throw ConfigError("the hub endpoint '" + url +
                          "' is not an http(s) address; give one like https://huggingface.co (--endpoint or "
                          "SFT_HF_ENDPOINT)");
    return url;
}

std::string hubFileUrl(const std::string& endpoint, const std::string& repo, const std::string& file)
{
    return joinUrlPath(endpoint, repo + "/resolve/main/" + file);
}

ModelDownload downloadModel(const CatalogModel& model, const ModelCache& cache, const std::string& endpoint,
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
