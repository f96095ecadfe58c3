#include "core/hub/chapter_dataset.h"

#include "core/util/error.h"
#include "core/util/files.h"

#include <QStandardPaths>

namespace sft {

QUrl chapterDatasetUrl()
{
    return QUrl(qEnvironmentVariable(
        "SFT_CHAPTER_DATASET_URL",
        "https://raw.githubusercontent.com/rasbt/LLMs-from-scratch/main/ch07/01_main-chapter-code/"
        "instruction-data.json"));
}

std::string chapterDatasetPath()
{
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (cache.isEmpty())
        throw IoError("no cache folder is known for this user (set XDG_CACHE_HOME); open the dataset file "
                      "instead");
    return (cache + "/sft-studio/datasets/instruction-data.json").toStdString();
}

std::string fetchChapterDataset(const DownloadProgressFn& onProgress, const JobControl* job)
{
    const std::string path = chapterDatasetPath();
    if (!fileExists(path))
        downloadFile(chapterDatasetUrl(), path, DownloadTimeouts{}, onProgress, job);
    return path;
}

} // namespace sft
