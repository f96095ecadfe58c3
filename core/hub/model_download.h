#pragma once
// Getting a catalog model into the cache: its files fetched one after another from
// `<endpoint>/<repo>/resolve/main/<file>`, those already there skipped, so running it again
// finishes what an interrupted run began.

#include "core/hub/downloader.h"
#include "core/hub/model_cache.h"
#include "core/hub/model_catalog.h"

#include <functional>
#include <string>
#include <vector>

namespace sft {

// The hub to download from: `option` (--endpoint) when given, else $SFT_HF_ENDPOINT, else
// https://huggingface.co. Throws ConfigError for anything but an http(s) address.
std::string hubEndpoint(const std::string& option = {});
std::string hubFileUrl(const std::string& endpoint, const std::string& repo, const std::string& file);

struct ModelFileProgress {
    std::string file;
    int index = 0; // of count, from 0
    int count = 0;
    DownloadProgress transfer;
};
using ModelDownloadProgressFn = std::function<void(const ModelFileProgress&)>;

struct ModelDownload {
    std::string folder;
    std::vector<std::string> fetched;    // downloaded (or finished) by this call
    std::vector<std::string> unverified; // fetched, but the server announced no checksum
};

// Throws what downloadFile throws, and IoError when another process downloads the same model.
ModelDownload downloadModel(const CatalogModel& model, const ModelCache& cache, const std::string& endpoint,
                            const DownloadTimeouts& timeouts, const ModelDownloadProgressFn& onProgress,
                            const JobControl* job);

} // namespace sft
