#include "core/hub/chapter_dataset.h"

#include "core/hub/download_error.h"
#include "core/net/url.h"
#include "core/util/bundled_data.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <QStandardPaths>

#include <filesystem>

namespace sft {

std::string chapterDatasetUrl()
{
    return qEnvironmentVariable("SFT_CHAPTER_DATASET_URL",
                                "https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch07/"
                                "01_main-chapter-code/instruction-data.json")
        .toStdString();
}

std::string chapterDatasetPath()
{
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty())
        throw IoError("no cache folder is known for this user (set XDG_CACHE_HOME); open the dataset file "
                      "instead");
    return (cache + "/sft-studio/datasets/instruction-data.json").toStdString();
}

namespace {

// A small file: with no network, the bundled copy should not wait long.
constexpr DownloadTimeouts kTimeouts{5'000, 15'000};

} // namespace

std::string fetchChapterDataset(const DownloadProgressFn& onProgress, const JobControl* job, const NoteFn& note)
{
    const std::string path = chapterDatasetPath();
    if (fileExists(path))
        return path;
    const auto tell = [&note](const std::string& line) {
        if (note)
            note(line);
    };
    const std::string url = chapterDatasetUrl();
    const std::string fetched = path + ".download";
    const std::string bundled = "; used the copy bundled with SFT Studio (the book's file, sha256 " +
                                std::string(kChapterDatasetSha256) + ")";
    try {
        downloadFile(url, fetched, kTimeouts, onProgress, job);
        const std::string actual = sha256OfFile(fetched);
        if (actual == kChapterDatasetSha256) {
            std::error_code error;
            std::filesystem::rename(fetched, path, error);
            if (error)
                throw IoError("cannot rename " + fetched + " to " + path + ": " + error.message());
            tell("downloaded " + shownUrl(url) + "; its sha256 is the book's file's");
            return path;
        }
        std::error_code ignored;
        std::filesystem::remove(fetched, ignored);
        tell(shownUrl(url) + " sent another file than the book's dataset (sha256 " + actual + ")" + bundled);
    } catch (const DownloadError& e) {
        tell(std::string("could not download the chapter-7 dataset: ") + e.what() + bundled);
    }
    makeDirectories(std::filesystem::path(path).parent_path().string());
    writeFileAtomic(path, std::string(bundledData(BundledData::ChapterDataset)));
    return path;
}

} // namespace sft
