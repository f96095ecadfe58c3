#pragma once
// Whole-file reads and crash-safe writes. A file we write is never seen half-written:
// it goes to a temporary name in the same folder, is flushed to disk, then renamed.

#include <string>

namespace sft {

std::string readFile(const std::string& path);
void writeFileAtomic(const std::string& path, const std::string& data);
// Appends one line and flushes it, for logs that must survive a kill (metrics.jsonl).
void appendLine(const std::string& path, const std::string& line);
std::string sha256Hex(const std::string& bytes);
std::string sha256OfFile(const std::string& path);
void makeDirectories(const std::string& path);
bool fileExists(const std::string& path);

} // namespace sft
