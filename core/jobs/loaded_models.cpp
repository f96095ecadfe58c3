#include "core/jobs/loaded_models.h"

#include "core/hub/model_cache.h"
#include "core/io/lora_adapters.h"

#include <algorithm>
#include <filesystem>
#include <future>
#include <tuple>
#include <vector>

namespace sft {

namespace fs = std::filesystem;

namespace {

// A file as last seen: a rewrite changes its size or its modification time.
struct FileStamp {
    std::string path;
    uintmax_t size = 0;
    fs::file_time_type::rep modified = 0;
    bool operator==(const FileStamp& o) const
    {
        return std::tie(path, size, modified) == std::tie(o.path, o.size, o.modified);
    }
};
using Fingerprint = std::vector<FileStamp>;

// The file itself, or every file of the folder (weights, adapters, config, tokenizer): a
// checkpoint written again replaces them.
void addStamps(const fs::path& path, Fingerprint& stamps)
{
    std::error_code error;
    const auto stamp = [&](const fs::directory_entry& file) {
        stamps.push_back({file.path().string(), file.file_size(error),
                          file.last_write_time(error).time_since_epoch().count()});
    };
    if (!fs::is_directory(path, error)) {
        stamp(fs::directory_entry(path, error));
        return;
    }
    const size_t first = stamps.size();
    for (const fs::directory_entry& entry : fs::directory_iterator(path, error))
        if (entry.is_regular_file(error))
            stamp(entry);
    std::sort(stamps.begin() + long(first), stamps.end(),
              [](const FileStamp& a, const FileStamp& b) { return a.path < b.path; });
}

// What loading `folder` reads: its files, its adapters' base model, the tokenizer given.
Fingerprint fingerprintOf(const std::string& folder, const std::string& tokenizerDir)
{
    Fingerprint stamps;
    addStamps(folder, stamps);
    if (isLoraAdapterFolder(folder)) {
        try {
            addStamps(adapterBaseModel(folder), stamps);
        } catch (const std::exception&) {
            // Loading says what is missing.
        }
    }
    if (!tokenizerDir.empty())
        addStamps(tokenizerDir, stamps);
    return stamps;
}

// One spelling per folder: "run/final", "./run/final/" and a link to it are the same model.
std::string folderKey(const std::string& path)
{
    std::error_code error;
    const fs::path canonical = fs::weakly_canonical(fs::absolute(path), error);
    return (error ? fs::absolute(path).lexically_normal() : canonical).string();
}

// What the cache tells models apart by: the folder loaded and the tokenizer given, if any.
struct Key {
    std::string folder, tokenizerDir;
    bool operator==(const Key& o) const { return folder == o.folder && tokenizerDir == o.tokenizerDir; }
};

Key keyOf(const std::string& model, const std::string& tokenizerDir)
{
    return {folderKey(resolveModel(model)), tokenizerDir.empty() ? std::string() : folderKey(tokenizerDir)};
}

} // namespace

InferenceModel loadForInference(const std::string& folder, const std::string& tokenizerDir)
{
    InferenceModel loaded{loadModelFolder(folder, Adapters::Merge, WeightUse::Inference),
                           loadTokenizer(folder, tokenizerDir)};
    loaded.weights.model->eval();
    return loaded;
}

struct LoadedModels::Slot {
    Key key;
    uint64_t id; // the load that made it
    Fingerprint fingerprint; // taken before loading: a change during the load loads again next time
    // While loading, what other threads wait on; then the model alone, whose use_count() tells
    // whether a job holds it.
    std::shared_future<std::shared_ptr<const InferenceModel>> pending;
    bool loading = true;
    std::shared_ptr<const InferenceModel> loaded;
};

LoadedModels::LoadedModels(size_t capacity, Loader loader)
    : capacity_(std::max<size_t>(capacity, 1)), loader_(loader ? std::move(loader) : Loader(loadForInference))
{
}

LoadedModels::~LoadedModels() = default;

std::shared_ptr<const InferenceModel> LoadedModels::get(const std::string& model, const std::string& tokenizerDir)
{
    const Key key = keyOf(model, tokenizerDir);
    Fingerprint fingerprint = fingerprintOf(key.folder, key.tokenizerDir);

    std::unique_lock<std::mutex> lock(mutex_);
    const auto slot = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.key == key; });
    if (slot != slots_.end() && slot->fingerprint == fingerprint) {
        slots_.splice(slots_.begin(), slots_, slot);
        if (!slot->loading)
            return slot->loaded;
        auto pending = slot->pending;
        lock.unlock();
        return pending.get(); // waits for the thread that loads it
    }
    // Unknown, or changed on disk: whoever holds the old model keeps it; the cache forgets it.
    if (slot != slots_.end())
        slots_.erase(slot);
    std::promise<std::shared_ptr<const InferenceModel>> promise;
    const uint64_t id = ++loads_;
    slots_.push_front(Slot{key, id, std::move(fingerprint), promise.get_future().share()});
    evictBeyondCapacity(id); // before loading: models no job holds make room first
    lock.unlock();

    const auto mine = [&] {
        return std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.id == id; });
    };
    std::shared_ptr<const InferenceModel> loaded;
    try {
        loaded = std::make_shared<const InferenceModel>(loader_(key.folder, key.tokenizerDir));
    } catch (...) {
        lock.lock();
        if (const auto it = mine(); it != slots_.end())
            slots_.erase(it);
        lock.unlock();
        promise.set_exception(std::current_exception());
        throw;
    }
    lock.lock();
    // Still kept unless a newer version of the folder replaced it meanwhile.
    if (const auto it = mine(); it != slots_.end()) {
        it->loading = false;
        it->loaded = loaded;
        it->pending = {}; // the waiters have their copies
        evictBeyondCapacity(id); // what loads that ran meanwhile kept
    }
    lock.unlock();
    promise.set_value(loaded);
    return loaded;
}

// Drops the least recently used models beyond capacity: first those no job holds, then, when
// every one is held, the cache's reference to the oldest (its memory goes when its job ends).
// Models still loading stay: their threads wait for them.
void LoadedModels::evictBeyondCapacity(uint64_t keep)
{
    for (const bool evenInUse : {false, true}) {
        for (auto it = slots_.end(); slots_.size() > capacity_ && it != slots_.begin();) {
            --it;
            const bool inUse = it->loaded.use_count() > 1;
            if (it->id == keep || it->loading || (inUse && !evenInUse))
                continue;
            it = slots_.erase(it);
        }
    }
}

bool LoadedModels::isLoaded(const std::string& model, const std::string& tokenizerDir) const
{
    Key key;
    try {
        key = keyOf(model, tokenizerDir);
    } catch (const std::exception&) {
        return false;
    }
    const Fingerprint fingerprint = fingerprintOf(key.folder, key.tokenizerDir);
    const std::lock_guard<std::mutex> lock(mutex_);
    return std::any_of(slots_.begin(), slots_.end(), [&](const Slot& s) {
        return s.key == key && !s.loading && s.fingerprint == fingerprint;
    });
}

size_t LoadedModels::size() const
{
    const std::lock_guard<std::mutex> lock(mutex_);
    return slots_.size();
}

size_t LoadedModels::loads() const
{
    const std::lock_guard<std::mutex> lock(mutex_);
    return loads_;
}

} // namespace sft
