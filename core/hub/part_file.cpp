#include "core/hub/part_file.h"

#include "core/util/error.h"

#include <QLocale>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace sft {

namespace {

std::string dataSize(int64_t bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat).toStdString();
}

std::string lastError() { return std::strerror(errno); }

} // namespace

PartFile::PartFile(const std::string& destination) : path_(destination + ".part")
{
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat info {};
    if (fd_ < 0 || ::fstat(fd_, &info) != 0)
        throw IoError("cannot write " + path_ + ": " + lastError());
    size_ = info.st_size;
}

PartFile::~PartFile()
{
    if (fd_ >= 0)
        ::close(fd_);
}

void PartFile::restart()
{
    if (::ftruncate(fd_, 0) != 0)
        throw IoError("cannot truncate " + path_ + ": " + lastError());
    size_ = 0;
}

void PartFile::append(std::string_view bytes)
{
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            throw IoError("cannot write " + path_ + " (disk full?): " + lastError());
        bytes.remove_prefix(size_t(written));
        size_ += written;
    }
}

void PartFile::requireFreeSpace(int64_t bytes) const
{
    const std::string folder = std::filesystem::absolute(path_).parent_path().string();
    struct statvfs disk {};
    if (::fstatvfs(fd_, &disk) != 0)
        return; // unknown: the writes themselves will say when the disk is full
    const int64_t available = int64_t(disk.f_bavail) * int64_t(disk.f_frsize);
    if (available < bytes)
        throw IoError("not enough disk space in " + folder + ": " + dataSize(bytes) + " more are needed, " +
                      dataSize(available) + " are free; free some space or choose another cache folder (--cache DIR "
                      "or SFT_CACHE_DIR)");
}

void PartFile::close()
{
    if (fd_ < 0)
        return;
    if (::fsync(fd_) != 0)
        throw IoError("cannot write " + path_ + " (disk full?): " + lastError());
    ::close(fd_);
    fd_ = -1;
}

void PartFile::remove()
{
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
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
