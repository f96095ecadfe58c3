#pragma once
// What the Hugging Face hub says about a file's content before sending it. Files stored with
// LFS (the weights) announce the sha256 of their bytes; files kept in git (config, tokenizer)
// announce their git blob id, sha1("blob <size>\0" + bytes). Both arrive as a quoted ETag.

#include "core/util/job_control.h"

#include <cstdint>
#include <functional>
#include <string>

namespace sft {

struct AnnouncedChecksum {
    enum class Kind { None, Sha256, GitBlobSha1 };
    Kind kind = Kind::None;
    std::string hex; // lower case

    bool announced() const { return kind != Kind::None; }
};

// Reads an ETag or X-Linked-Etag value: 64 hex digits are a sha256, 40 a git blob sha1, both
// optionally quoted and weak (W/"..."). Anything else, such as a CDN's own tag, is Kind::None.
AnnouncedChecksum parseEtag(const std::string& value);

const char* checksumName(AnnouncedChecksum::Kind kind); // "sha256", "git blob sha1"

// The file's checksum of the given kind, read in chunks; onBytes sees how far it got.
std::string checksumOfFile(const std::string& path, AnnouncedChecksum::Kind kind,
                           const std::function<void(int64_t done, int64_t total)>& onBytes, const JobControl* job);

} // namespace sft
