#pragma once
// The chapter-7 instruction dataset (1,100 entries), fetched once from the book's repository
// into the user's cache, so that a first start needs one click and later ones no network.

#include "core/hub/downloader.h"

#include <QUrl>

#include <string>

namespace sft {

// The book's raw GitHub address, or $SFT_CHAPTER_DATASET_URL (a mirror, or a test server).
QUrl chapterDatasetUrl();
// <cache>/sft-studio/datasets/instruction-data.json, <cache> being $XDG_CACHE_HOME or ~/.cache.
// Throws IoError when the system knows no cache folder.
std::string chapterDatasetPath();

// The cached file's path, downloading it first when it is not there. Throws what downloadFile
// throws; an interrupted download resumes on the next call.
std::string fetchChapterDataset(const DownloadProgressFn& onProgress, const JobControl* job);

} // namespace sft
