#pragma once
// The chapter-7 instruction dataset (1,100 entries) in the user's cache: fetched once from the
// book's repository and checked against the published file's sha256, or, with no network (or a
// server that sends something else), the identical copy compiled into SFT Studio. A first start
// needs one click and no network.

#include "core/hub/downloader.h"

#include <string>

namespace sft {

// The book's raw GitHub address, or $SFT_CHAPTER_DATASET_URL (a mirror, or a test server).
std::string chapterDatasetUrl();
// <cache>/sft-studio/datasets/instruction-data.json, <cache> being $XDG_CACHE_HOME or ~/.cache.
// Throws IoError when the system knows no cache folder.
std::string chapterDatasetPath();

// The cached file's path, putting it there first when it is not: downloaded, or the bundled
// copy when the download fails or its bytes are not the published file's; `note` says which.
// Throws Cancelled, and IoError for the local disk.
std::string fetchChapterDataset(const DownloadProgressFn& onProgress, const JobControl* job,
                                const NoteFn& note = {});

} // namespace sft
