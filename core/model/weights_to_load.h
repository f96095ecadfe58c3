#pragma once
// A model whose every weight is about to be read from a file need not draw random ones first:
// loading a model then costs what copying its weights does.

namespace sft {

// While one lives on this thread, models are built without drawing initial weights: their
// parameters hold whatever the allocator gave until the loader fills every one of them (a loader
// that finds a weight missing in the file throws, and the model is dropped).
class WeightsToLoad {
public:
    WeightsToLoad();
    ~WeightsToLoad();
    WeightsToLoad(const WeightsToLoad&) = delete;
    WeightsToLoad& operator=(const WeightsToLoad&) = delete;
    static bool active();

private:
    bool before_;
};

} // namespace sft
