#pragma once
// Models kept loaded between short jobs: the app's Playground and Evaluate answer again with the
// model they used a moment ago without reading it again (gpt2-medium takes over a second to load,
// larger ones more). One cache, shared by every job that generates, keyed by the resolved model
// folder; a folder whose files changed on disk since it was loaded is loaded again. At most
// `capacity` models are kept (gpt2-xl takes 6 GB): the least recently used one not in use goes
// first. Models are handed out as shared_ptr, so eviction only drops the cache's reference and a
// job holding one keeps it until it ends. Thread-safe; a folder asked for by two threads at once
// is loaded once, the second waiting for the first.
//
// The models are for inference only, and may be used by several threads at once: they stay in
// eval mode (generate() never changes the mode of a model in eval mode), and nothing may train
// them or change their mode.

#include "core/io/model_folder.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

namespace sft {

// A model folder ready to generate with: its weights (eval mode) and its tokenizer.
struct InferenceModel {
    LoadedModel weights;
    Tokenizer tokenizer;
};

// Loads `folder` (resolved already) for inference; the tokenizer of `tokenizerDir` when given,
// else the folder's. What runResponding does without a cache.
InferenceModel loadForInference(const std::string& folder, const std::string& tokenizerDir = {});

class LoadedModels {
public:
    using Loader = std::function<InferenceModel(const std::string& folder, const std::string& tokenizerDir)>;
    static constexpr size_t kDefaultCapacity = 2;

    // loader: how a folder is loaded (tests count or slow it down); empty means loadForInference.
    explicit LoadedModels(size_t capacity = kDefaultCapacity, Loader loader = {});
    ~LoadedModels();
    LoadedModels(const LoadedModels&) = delete;
    LoadedModels& operator=(const LoadedModels&) = delete;

    // The model at `model` (a folder or weights file, or a downloaded model's name, as
    // resolveModel takes it) with the tokenizer of `tokenizerDir` (empty: the model's): the one
    // kept when its files are unchanged, else loaded now. Throws what loading throws; a failed
    // load is not kept, so the next call tries again.
    std::shared_ptr<const InferenceModel> get(const std::string& model, const std::string& tokenizerDir = {});
    // Whether get() would return at once: the model is loaded and its files are unchanged.
    bool isLoaded(const std::string& model, const std::string& tokenizerDir = {}) const;

    size_t capacity() const { return capacity_; }
    size_t size() const;  // models kept (loading ones included)
    size_t loads() const; // loads started since construction, for tests and status

private:
    struct Slot;
    void evictBeyondCapacity(uint64_t keep); // keep: the id of the slot just loaded

    const size_t capacity_;
    const Loader loader_;
    mutable std::mutex mutex_;
    std::list<Slot> slots_; // most recently used first
    uint64_t loads_ = 0; // also the id of the latest slot
};

} // namespace sft
