#pragma once
// API keys for OpenAI-compatible judge servers, kept only where the user alone can read them.
// A key file the user names (the CLI's --api-key-file) must not be readable by the group or
// others, as ssh asks of its keys; the GUI remembers keys, one per server address, in a file of
// its own created that way. Keys are never written anywhere else (run folders, scores, logs).

#include <string>

namespace sft {

// The key in `path`, surrounding white space dropped. ConfigError when the file cannot be read,
// holds no key, or can be read by anyone but its owner (the message says how to fix that).
std::string readApiKeyFile(const std::string& path);

// Remembered keys by server address, in one JSON file that only the user can read or write.
class ApiKeyStore {
public:
    explicit ApiKeyStore(std::string path) : path_(std::move(path)) {}

    // "" when none is remembered for `server`. A store readable by others is refused, as above.
    std::string keyFor(const std::string& server) const;
    // Remembers `key` for `server`, or forgets the server's key when `key` is empty (a store that
    // does not exist is not made for that).
    void remember(const std::string& server, const std::string& key);

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

} // namespace sft
