#pragma once
// The processes of one data-parallel run, on PyTorch's own distributed engine: rendezvous through
// c10d::TCPStore at MASTER_ADDR:MASTER_PORT, collectives through c10d::ProcessGroupGloo. They are
// started as torchrun starts them (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT), by
// torchrun itself, srun, a shell loop over machines or `train --nproc`. Every failure of a peer
// or of the rendezvous becomes a DistributedError that names the rank and its host.

#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace at {
class Tensor;
}

namespace sft {

class DistributedError : public Error {
public:
    using Error::Error;
};

// What torchrun's environment says about this process.
struct LaunchEnvironment {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 1; // processes on this machine (LOCAL_WORLD_SIZE; 1 where unset)
    std::string masterAddr;
    int masterPort = 0;
    // TORCHELASTIC_USE_AGENT_STORE=True: the launcher holds the store and rank 0 is its client too.
    bool agentStore = false;
};

// Empty when none of RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT is set; ConfigError naming the
// variable when some are set and others missing, or a value is out of range.
std::optional<LaunchEnvironment> launchEnvironment();

struct RankInfo {
    int rank = 0;
    std::string host;
    int64_t pid = 0;
};

// A 64-bit hash of the tensors' bytes (CPU, any dtype), in order: equal on two ranks only when
// every value is bit for bit the same.
uint64_t contentHash(const std::vector<at::Tensor>& tensors);

// The rendezvous store of ranks this process starts itself (train --nproc), as torchrun's agent
// holds it: on 127.0.0.1 at a free port, outliving any one rank, so that the ranks still there
// can tell which one is gone. The ranks join it with TORCHELASTIC_USE_AGENT_STORE=True.
class LocalRendezvous {
public:
    explicit LocalRendezvous(std::chrono::milliseconds timeout);
    ~LocalRendezvous();
    int port() const;

private:
    struct Store;
    std::unique_ptr<Store> s_;
};

class ProcessGroup {
public:
    // Joins the group. `fingerprint` is an object of named parts ("settings", "dataset",
    // "weights", ...) that must be equal on every rank; the first difference is refused with the
    // part's name and the ranks' hosts. `timeout` bounds the rendezvous and every collective.
    static std::unique_ptr<ProcessGroup> join(const LaunchEnvironment& env, std::chrono::milliseconds timeout,
                                              const nlohmann::json& fingerprint);
    ~ProcessGroup();

    int rank() const;
    int size() const;
    bool leader() const { return rank() == 0; }
    const std::vector<RankInfo>& ranks() const;
    std::string describe(int rank) const; // "rank 1 (host h, pid 42)"

    // Element-wise sums over all ranks, in place: every rank ends with the same values, bit for bit.
    void sum(std::vector<at::Tensor>& tensors);
    void sum(std::vector<double>& values);
    // Rank 0's values on every rank.
    void broadcastFromLeader(std::vector<at::Tensor>& tensors);
    // Whether any rank passed true: a stop asked on one rank stops all at the same step.
    bool any(bool flag);
    // DistributedError naming the ranks whose value differs from rank 0's.
    void requireSame(uint64_t value, const std::string& what);

private:
    struct State;
    explicit ProcessGroup(std::unique_ptr<State> state);
    [[noreturn]] void fail(const std::exception& cause);
    std::unique_ptr<State> s_;
};

} // namespace sft
