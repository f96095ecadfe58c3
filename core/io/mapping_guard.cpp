#include "core/io/mapping_guard.h"

#include "core/util/error.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <mutex>

namespace sft {

namespace {

constexpr int kSlots = 256;

// Read by the signal handler, so only lock-free atomics; the paths are read outside it.
struct Slot {
    std::atomic<uintptr_t> begin{0};
    std::atomic<uintptr_t> end{0};
};

std::array<Slot, kSlots> slots;
std::array<std::string, kSlots> paths; // under pathsMutex
std::mutex pathsMutex;
std::atomic<uint64_t> lostPages{0};
std::atomic<int> lastLossSlot{-1};
std::string lastLossPath; // under pathsMutex: the path of lastLossSlot, kept when its slot is reused
uintptr_t pageSize = 4096;
struct sigaction previousAction;

void onSigbus(int, siginfo_t* info, void*)
{
    const auto address = reinterpret_cast<uintptr_t>(info->si_addr);
    for (int i = 0; i < kSlots; ++i) {
        if (address < slots[size_t(i)].begin.load() || address >= slots[size_t(i)].end.load())
            continue;
        void* const page = reinterpret_cast<void*>(address & ~(pageSize - 1));
        if (mmap(page, pageSize, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED) {
            lastLossSlot.store(i);
            lostPages.fetch_add(1);
            return; // the read runs again, on the zeros
        }
        break;
    }
    // Not a guarded page: what would have happened without this handler happens when the
    // faulting instruction runs again.
    sigaction(SIGBUS, &previousAction, nullptr);
}

void installHandler()
{
    pageSize = uintptr_t(sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = onSigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGBUS, &action, &previousAction);
}

} // namespace

MappingGuard::MappingGuard(const void* begin, size_t bytes, const std::string& path) : slot_(-1)
{
    static std::once_flag installed;
    std::call_once(installed, installHandler);
    const std::lock_guard<std::mutex> lock(pathsMutex);
    for (int i = 0; i < kSlots && slot_ < 0; ++i) {
        if (slots[size_t(i)].end.load() != 0)
            continue;
        slot_ = i;
        paths[size_t(i)] = path;
        slots[size_t(i)].begin.store(reinterpret_cast<uintptr_t>(begin));
        slots[size_t(i)].end.store(reinterpret_cast<uintptr_t>(begin) + bytes);
    }
}

MappingGuard::~MappingGuard()
{
    if (slot_ < 0)
        return;
    const std::lock_guard<std::mutex> lock(pathsMutex);
    if (lastLossSlot.load() == slot_)
        lastLossPath = paths[size_t(slot_)];
    slots[size_t(slot_)].end.store(0);
    slots[size_t(slot_)].begin.store(0);
}

uint64_t lostMappedPages() { return lostPages.load(); }

void requireNoMappedPagesLostSince(uint64_t before)
{
    if (lostPages.load() == before)
        return;
    std::string path;
    {
        const std::lock_guard<std::mutex> lock(pathsMutex);
        const int slot = lastLossSlot.load();
        path = slot >= 0 && slots[size_t(slot)].end.load() != 0 ? paths[size_t(slot)] : lastLossPath;
    }
    throw WeightsError(path + " was changed on disk (shortened in place) while its weights were in use; what was "
                              "computed from it is discarded: run it again to load the new file");
}

} // namespace sft
