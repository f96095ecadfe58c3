#pragma once
// Whole-file reads and crash-safe writes. A file we write is never seen half-written:
// it goes to a temporary name in the same folder, is flushed to disk, then renamed.

#include <string>
#include <string_view>

class QFile;

namespace sft {

std::string readFile(const std::string& path);
void writeFileAtomic(const std::string& path, const std::string& data);
// Appends one line and flushes it, for logs that must survive a kill (metrics.jsonl); a line
// that cannot be written whole (a full disk) is taken back.
void appendLine(const std::string& path, const std::string& line);
// Writes all of data to an open unbuffered file. Qt reports a reason only for a write that
// wrote nothing, so a short write (a disk filling up) is followed by another, which then says
// why; false with file.errorString() set.
bool writeWhole(QFile& file, std::string_view data);
std::string sha256Hex(const std::string& bytes);
std::string sha256OfFile(const std::string& path);
void makeDirectories(const std::string& path);
bool fileExists(const std::string& path);

} // namespace sft
