#pragma once
// The bytes of a download received so far, in order, under <file>.part. What it holds is always
// a prefix of the file as received, so a later attempt can ask the server for the rest.

#include <cstdint>
#include <string>
#include <string_view>

namespace sft {

class PartFile {
public:
    // Opens (creating) the .part next to destination, keeping what an earlier attempt left.
    explicit PartFile(const std::string& destination);
    ~PartFile();
    PartFile(const PartFile&) = delete;
    PartFile& operator=(const PartFile&) = delete;

    const std::string& path() const { return path_; }
    int64_t size() const { return size_; }
    void restart(); // the server sends the file from its start: drop what is here
    void append(std::string_view bytes);
    // Throws IoError when the disk cannot take `bytes` more.
    void requireFreeSpace(int64_t bytes) const;
    // Flushed to disk and closed: after a crash the final name never holds fewer bytes.
    void close();
    void remove();
    // Moves the complete file to its final name, replacing an older one.
    void publish(const std::string& destination);

private:
    std::string path_;
    int fd_ = -1;
    int64_t size_ = 0;
};

} // namespace sft
