#include "core/dist/process_group.h"

#include "core/util/process_identity.h"

#include <torch/torch.h>
// Torch's CMake package defines USE_C10D_GLOO where LibTorch was built with Gloo, as Debian's is.
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <future>
#include <thread>

namespace sft {

namespace {

std::optional<std::string> variable(const char* name)
{
    const char* value = std::getenv(name);
    return value && *value ? std::optional<std::string>(value) : std::nullopt;
}

int integerVariable(const char* name, int low, int high)
{
    const std::string text = *variable(name);
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (*end != '\0' || value < low || value > high)
        throw ConfigError(std::string(name) + "=" + text + " is not a whole number from " + std::to_string(low) +
                          " to " + std::to_string(high));
    return int(value);
}

std::vector<uint8_t> bytes(const std::string& text) { return {text.begin(), text.end()}; }
std::string text(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

std::string seconds(std::chrono::milliseconds t) { return std::to_string(t.count() / 1000) + " s"; }

// The address of this machine that reaches `host`: the one Gloo must listen on so that the
// other ranks can connect to it (torch resolves the hostname, which Debian maps to 127.0.1.1).
std::string addressToward(const std::string& host, int port)
{
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
        return {};
    std::string address;
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in local{};
    socklen_t length = sizeof local;
    char name[INET_ADDRSTRLEN] = {};
    if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == 0 &&
        inet_ntop(AF_INET, &local.sin_addr, name, sizeof name))
        address = name;
    if (fd >= 0)
        close(fd);
    freeaddrinfo(found);
    return address;
}

std::shared_ptr<::gloo::transport::Device> glooDevice(const LaunchEnvironment& env)
{
    if (const auto ifname = variable("GLOO_SOCKET_IFNAME"))
        return c10d::ProcessGroupGloo::createDeviceForInterface(*ifname);
    const std::string address = addressToward(env.masterAddr, env.masterPort);
    return address.empty() ? c10d::ProcessGroupGloo::createDefaultDevice()
                           : c10d::ProcessGroupGloo::createDeviceForHostname(address);
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

// "batch_size 4 against 8": the first key where two objects differ, else the two values.
std::string difference(const nlohmann::json& theirs, const nlohmann::json& ours)
{
    if (theirs.is_object() && ours.is_object())
        for (const auto& [key, value] : ours.items())
            if (theirs.value(key, nlohmann::json()) != value)
                return key + " " + theirs.value(key, nlohmann::json()).dump() + " against " + value.dump();
    return theirs.dump() + " against " + ours.dump();
}

} // namespace

std::optional<LaunchEnvironment> launchEnvironment()
{
    const char* required[] = {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};
    std::string set, missing;
    for (const char* name : required)
        (variable(name) ? set : missing) = name;
    if (set.empty())
        return std::nullopt;
    if (!missing.empty())
        throw ConfigError(set + " is set but " + missing + " is not: a distributed run needs RANK, WORLD_SIZE, "
                          "MASTER_ADDR and MASTER_PORT (see docs/distributed.md)");
    LaunchEnvironment env;
    env.worldSize = integerVariable("WORLD_SIZE", 1, 1 << 20);
    env.rank = integerVariable("RANK", 0, env.worldSize - 1);
    env.masterAddr = *variable("MASTER_ADDR");
    env.masterPort = integerVariable("MASTER_PORT", 1, 65535);
    if (variable("LOCAL_RANK"))
        env.localRank = integerVariable("LOCAL_RANK", 0, env.worldSize - 1);
    if (variable("LOCAL_WORLD_SIZE"))
        env.localWorldSize = integerVariable("LOCAL_WORLD_SIZE", 1, env.worldSize);
    const std::string agent = variable("TORCHELASTIC_USE_AGENT_STORE").value_or("");
    env.agentStore = agent == "True" || agent == "true" || agent == "1";
    return env;
}

uint64_t contentHash(const std::vector<at::Tensor>& tensors)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    auto mix = [&h](uint64_t word) {
        h = (h ^ word) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
    };
    for (const at::Tensor& tensor : tensors) {
        const at::Tensor t = tensor.detach().cpu().contiguous();
        const auto* data = static_cast<const unsigned char*>(t.data_ptr());
        const size_t size = t.numel() * t.element_size();
        mix(size);
        size_t i = 0;
        for (; i + 8 <= size; i += 8) {
            uint64_t word;
            std::memcpy(&word, data + i, 8);
            mix(word);
        }
        uint64_t tail = 0;
        std::memcpy(&tail, data + i, size - i);
        mix(tail);
    }
    return h;
}

struct LocalRendezvous::Store {
    c10::intrusive_ptr<c10d::TCPStore> store;
};

LocalRendezvous::LocalRendezvous(std::chrono::milliseconds timeout) : s_(std::make_unique<Store>())
{
    c10d::TCPStoreOptions options;
    options.port = 0; // the system picks a free one
    options.isServer = true;
    options.waitWorkers = false;
    options.timeout = timeout;
    try {
        s_->store = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", options);
    } catch (const std::exception& e) {
        throw DistributedError(std::string("could not open a rendezvous for the worker processes: ") + e.what());
    }
}

LocalRendezvous::~LocalRendezvous() = default;

int LocalRendezvous::port() const { return s_->store->getPort(); }

struct ProcessGroup::State {
    LaunchEnvironment env;
    std::chrono::milliseconds timeout{0};
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
    std::vector<RankInfo> ranks;
    int64_t checks = 0;

    std::string key(const std::string& what, int rank) const { return "sft/" + what + "/" + std::to_string(rank); }
    std::string here() const { return "rank " + std::to_string(env.rank) + " (this one, on " + thisProcess()["host"].get<std::string>() + ")"; }
    void connect();
    void exchange(const nlohmann::json& fingerprint);
    std::string missingPeers();
};

void ProcessGroup::State::connect()
{
    c10d::TCPStoreOptions options;
    options.port = uint16_t(env.masterPort);
    options.isServer = env.rank == 0 && !env.agentStore;
    options.waitWorkers = false;
    options.timeout = timeout;
    try {
        store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, options);
    } catch (const std::exception& e) {
        const std::string why = e.what();
        if (options.isServer && contains(why, "already in use"))
            throw DistributedError("MASTER_PORT " + std::to_string(env.masterPort) + " is in use on this machine (by "
                                   "another run or program): give the ranks a free port");
        if (options.isServer)
            throw DistributedError("rank 0 could not open the rendezvous on port " + std::to_string(env.masterPort) +
                                   ": " + why);
        throw DistributedError("rank " + std::to_string(env.rank) + " could not reach the rendezvous at " +
                               env.masterAddr + ":" + std::to_string(env.masterPort) + " within " + seconds(timeout) +
                               " (is rank 0 started, and is that address reachable from here?): " + why);
    }
}

// Every rank publishes who it is and what it starts from, then reads everyone else's: a rank
// started with another world size, settings, dataset or model is refused before any collective.
void ProcessGroup::State::exchange(const nlohmann::json& fingerprint)
{
    const nlohmann::json me = thisProcess();
    store->set(key("rank", env.rank), bytes(nlohmann::json{{"host", me["host"]},
                                                            {"pid", me["pid"]},
                                                            {"world_size", env.worldSize},
                                                            {"fingerprint", fingerprint}}
                                                .dump()));
    for (int k = 0; k < env.worldSize; ++k) {
        try {
            store->wait({key("rank", k)}, timeout);
        } catch (const std::exception&) {
            throw DistributedError("rank " + std::to_string(k) + " did not join within " + seconds(timeout) + " (" +
                                   here() + " expects WORLD_SIZE=" + std::to_string(env.worldSize) + ")");
        }
        const nlohmann::json peer = nlohmann::json::parse(text(store->get(key("rank", k))));
        const RankInfo info{k, peer["host"].get<std::string>(), peer["pid"].get<int64_t>()};
        const std::string who = "rank " + std::to_string(k) + " (on " + info.host + ")";
        if (peer["world_size"] != env.worldSize)
            throw DistributedError(who + " was started with WORLD_SIZE=" + peer["world_size"].dump() + " and " +
                                   here() + " with WORLD_SIZE=" + std::to_string(env.worldSize));
        for (const auto& [part, value] : fingerprint.items())
            if (const nlohmann::json theirs = peer["fingerprint"].value(part, nlohmann::json()); theirs != value)
                throw DistributedError(who + " differs from " + here() + " in its " + part + " (" +
                                       difference(theirs, value) + "): every rank must be given the same settings, "
                                       "dataset and model");
        ranks.push_back(info);
    }
}

// After a failed collective: every rank that is still there says so in the store; the ranks
// that do not within a few seconds are the ones that died or hang.
std::string ProcessGroup::State::missingPeers()
{
    // The store may not answer at all (its holder hangs), so the question runs on a thread of
    // its own, which holds everything it uses and is abandoned after a few seconds.
    auto task = std::make_shared<std::packaged_task<std::string()>>([store = store, env = env, ranks = ranks] {
        auto key = [](int rank) { return "sft/failed/" + std::to_string(rank); };
        store->set(key(env.rank), bytes("1"));
        std::vector<int> missing;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        do {
            missing.clear();
            for (const RankInfo& r : ranks)
                if (r.rank != env.rank && !store->check({key(r.rank)}))
                    missing.push_back(r.rank);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        } while (!missing.empty() && std::chrono::steady_clock::now() < until);
        std::string names;
        for (int r : missing)
            names += (names.empty() ? "" : ", ") + std::string("rank ") + std::to_string(r) + " (host " +
                     ranks[size_t(r)].host + ", pid " + std::to_string(ranks[size_t(r)].pid) + ")";
        return names;
    });
    std::future<std::string> answer = task->get_future();
    std::thread([task] { (*task)(); }).detach();
    const std::string store = env.masterAddr + ":" + std::to_string(env.masterPort);
    const std::string holder = env.agentStore ? "the launcher" : "rank 0 (host " + ranks.front().host + ", pid " +
                                                                      std::to_string(ranks.front().pid) + ")";
    if (answer.wait_for(std::chrono::seconds(6)) != std::future_status::ready)
        return holder + ", which holds the rendezvous store at " + store + " and does not answer";
    try {
        const std::string names = answer.get();
        return names.empty() ? "another rank" : names;
    } catch (const std::exception&) {
        return holder + ", which held the rendezvous store at " + store;
    }
}

ProcessGroup::ProcessGroup(std::unique_ptr<State> state) : s_(std::move(state)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::join(const LaunchEnvironment& env, std::chrono::milliseconds timeout,
                                                 const nlohmann::json& fingerprint)
{
    auto s = std::make_unique<State>();
    s->env = env;
    s->timeout = timeout;
    s->connect();
    try {
        s->exchange(fingerprint);
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        options->devices.push_back(glooDevice(env));
        s->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(c10::make_intrusive<c10d::PrefixStore>("gloo", s->store),
                                                               env.rank, env.worldSize, options);
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& e) {
        throw DistributedError("the ranks could not connect to each other within " + seconds(timeout) + " (" +
                               s->here() + "): " + e.what());
    }
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(s)));
}

int ProcessGroup::rank() const { return s_->env.rank; }
int ProcessGroup::size() const { return s_->env.worldSize; }
const std::vector<RankInfo>& ProcessGroup::ranks() const { return s_->ranks; }

std::string ProcessGroup::describe(int rank) const
{
    const RankInfo& r = s_->ranks.at(size_t(rank));
    return "rank " + std::to_string(r.rank) + " (host " + r.host + ", pid " + std::to_string(r.pid) + ")";
}

void ProcessGroup::fail(const std::exception& cause)
{
    throw DistributedError(s_->missingPeers() + " failed, or did not answer within the " + seconds(s_->timeout) +
                           " timeout, so " + s_->here() + " stops too (" + cause.what() + ")");
}

void ProcessGroup::sum(std::vector<at::Tensor>& tensors)
{
    try {
        std::vector<c10::intrusive_ptr<c10d::Work>> pending;
        for (at::Tensor& t : tensors) {
            std::vector<at::Tensor> one{t};
            pending.push_back(s_->gloo->allreduce(one));
        }
        for (auto& work : pending)
            work->wait();
    } catch (const std::exception& e) {
        fail(e);
    }
}

void ProcessGroup::sum(std::vector<double>& values)
{
    std::vector<at::Tensor> all{torch::tensor(values, torch::kFloat64)};
    sum(all);
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = all.front()[int64_t(i)].item<double>();
}

void ProcessGroup::broadcastFromLeader(std::vector<at::Tensor>& tensors)
{
    try {
        std::vector<c10::intrusive_ptr<c10d::Work>> pending;
        for (at::Tensor& t : tensors) {
            std::vector<at::Tensor> one{t};
            pending.push_back(s_->gloo->broadcast(one, c10d::BroadcastOptions{0, 0}));
        }
        for (auto& work : pending)
            work->wait();
    } catch (const std::exception& e) {
        fail(e);
    }
}

bool ProcessGroup::any(bool flag)
{
    std::vector<at::Tensor> one{torch::full({1}, flag ? 1 : 0, torch::kInt32)};
    try {
        c10d::AllreduceOptions max;
        max.reduceOp = c10d::ReduceOp::MAX;
        s_->gloo->allreduce(one, max)->wait();
    } catch (const std::exception& e) {
        fail(e);
    }
    return one.front().item<int>() != 0;
}

void ProcessGroup::requireSame(uint64_t value, const std::string& what)
{
    const std::string name = "same/" + std::to_string(s_->checks++);
    std::string differ;
    try {
        s_->store->set(s_->key(name, rank()), bytes(std::to_string(value)));
        for (const RankInfo& r : s_->ranks) {
            s_->store->wait({s_->key(name, r.rank)}, s_->timeout);
            if (text(s_->store->get(s_->key(name, r.rank))) != std::to_string(value))
                differ += (differ.empty() ? "" : ", ") + describe(r.rank);
        }
    } catch (const std::exception& e) {
        fail(e);
    }
    if (!differ.empty())
        throw DistributedError("the " + what + " of " + s_->here() + " differ from those of " + differ);
}

} // namespace sft
