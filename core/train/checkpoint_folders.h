#pragma once
// The checkpoints/ folder of a run: final, best, and step-NNNNNN (the steps done). A folder is
// written under a hidden temporary name and renamed into place when complete, so a kill at any
// moment leaves either the old folder or the new one, never part of one.

#include <cstdint>
#include <functional>
#include <string>

namespace sft {

class CheckpointFolders {
public:
    explicit CheckpointFolders(std::string dir) : dir_(std::move(dir)) {}

    static std::string stepName(int64_t stepsDone); // step-000042

    std::string path(const std::string& name) const { return dir_ + "/" + name; }
    // write(folder) fills a new, empty folder; it then replaces `name`. Returns the final path.
    // When write throws, the new folder is removed and `name` is left as it was.
    std::string publish(const std::string& name, const std::function<void(const std::string&)>& write) const;
    // Removes what a kill left half-written; puts back a folder whose replacement was cut short.
    void recover() const;
    // The resumable checkpoint with the most steps done (final among equals); empty when none.
    std::string latestResumable() const;
    // Deletes the oldest step-NNNNNN folders beyond the newest `keep` (0 keeps all).
    void prune(int64_t keep) const;
    void rename(const std::string& from, const std::string& to) const;

private:
    std::string dir_;
};

} // namespace sft
