#include "core/hub/part_file.h"

#include "core/util/error.h"

#include <QFileInfo>
#include <QLocale>
#include <QStorageInfo>

#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace sft {

namespace {

std::string dataSize(int64_t bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat).toStdString();
}

} // namespace

PartFile::PartFile(const std::string& destination)
    : path_(destination + ".part"), file_(QString::fromStdString(path_))
{
    if (!file_.open(QIODevice::WriteOnly | QIODevice::Append))
        throw IoError("cannot write " + path_ + ": " + file_.errorString().toStdString());
}

void PartFile::restart()
{
    if (!file_.resize(0))
        throw IoError("cannot truncate " + path_ + ": " + file_.errorString().toStdString());
}

void PartFile::append(const QByteArray& bytes)
{
    if (file_.write(bytes) != bytes.size())
        throw IoError("cannot write " + path_ + " (disk full?): " + file_.errorString().toStdString());
}

void PartFile::requireFreeSpace(int64_t bytes) const
{
    const QString folder = QFileInfo(file_).absolutePath();
    const int64_t available = QStorageInfo(folder).bytesAvailable();
    if (available >= 0 && available < bytes)
        throw IoError("not enough disk space in " + folder.toStdString() + ": " + dataSize(bytes) +
                      " more are needed, " + dataSize(available) + " are free; free some space or choose another "
                      "cache folder (--cache DIR or SFT_CACHE_DIR)");
}

void PartFile::close()
{
    if (!file_.isOpen())
        return;
    if (!file_.flush() || ::fsync(file_.handle()) != 0)
        throw IoError("cannot write " + path_ + " (disk full?): " + file_.errorString().toStdString());
    file_.close();
}

void PartFile::remove()
{
    file_.close();
    QFile::remove(QString::fromStdString(path_));
}

void PartFile::publish(const std::string& destination)
{
    close();
    std::error_code error;
    std::filesystem::rename(path_, destination, error);
    if (error)
        throw IoError("cannot rename " + path_ + " to " + destination + ": " + error.message());
}

} // namespace sft
