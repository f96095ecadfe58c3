#include "core/util/process_identity.h"

#include <cerrno>
#include <fstream>
#include <string>

#include <signal.h>
#include <unistd.h>

namespace sft {

namespace {

std::string hostName()
{
    char name[256] = {};
    return gethostname(name, sizeof name - 1) == 0 ? std::string(name) : std::string();
}

// A pid is reused after a reboot; the boot id tells that the recorded one belongs to another boot.
std::string bootId()
{
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    std::getline(in, id);
    return id;
}

} // namespace

nlohmann::json thisProcess()
{
    return {{"host", hostName()}, {"pid", int64_t(getpid())}, {"boot", bootId()}};
}

Liveness processLiveness(const nlohmann::json& process)
{
    if (!process.is_object() || process.value("host", std::string()) != hostName())
        return Liveness::Elsewhere;
    const std::string boot = process.value("boot", std::string());
    if (!boot.empty() && boot != bootId())
        return Liveness::Gone;
    const int64_t pid = process.value("pid", int64_t(0));
    if (pid <= 0)
        return Liveness::Elsewhere;
    // EPERM: the process exists but belongs to another user.
    return kill(pid_t(pid), 0) == 0 || errno == EPERM ? Liveness::Alive : Liveness::Gone;
}

} // namespace sft
