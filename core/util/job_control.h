#pragma once
// How long work is steered from outside: the core polls these flags between steps, so a
// GUI worker or a CLI signal handler can pause or cancel without touching core state.

#include "core/util/error.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace sft {

class JobControl {
public:
    void requestCancel() { cancel_.store(true); }
    void setPaused(bool paused) { paused_.store(paused); }
    bool cancelRequested() const { return cancel_.load(); }
    bool paused() const { return paused_.load(); }

    // Called between steps: blocks while paused, throws Cancelled once cancel is asked.
    void checkpoint() const
    {
        while (paused_.load() && !cancel_.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (cancel_.load())
            throw Cancelled();
    }

private:
    std::atomic<bool> cancel_{false};
    std::atomic<bool> paused_{false};
};

// Progress of a countable job: done of total units, plus a short label.
using ProgressFn = std::function<void(int64_t done, int64_t total, const std::string& label)>;
// Lines worth showing the user while a job goes on (retries, skipped entries, warnings).
using NoteFn = std::function<void(const std::string&)>;

} // namespace sft
