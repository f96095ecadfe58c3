#pragma once
// Which process on which machine is writing a file, recorded so that another process (the app's
// runs list, a CLI on another machine sharing the folder) can tell a live writer from one that
// was killed: a run whose record says "running" may be a run nobody runs any more.

#include <nlohmann/json.hpp>

namespace sft {

// {"host": hostname, "pid": this process, "boot": the kernel's boot id (empty where unknown)}.
nlohmann::json thisProcess();

enum class Liveness {
    Alive,
    Gone,     // same machine and boot, and no such process; or the machine has rebooted since
    Elsewhere // another machine's process: only what it writes tells whether it still runs
};
Liveness processLiveness(const nlohmann::json& process);

} // namespace sft
