#include "core/jobs/local_ranks.h"

#include "core/dist/process_group.h"
#include "core/jobs/train_event_stream.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>
#include <QTemporaryDir>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

extern char** environ;

namespace sft {

namespace {

using Clock = std::chrono::steady_clock;

struct Rank {
    int index = 0;
    pid_t pid = -1;
    int out = -1, err = -1; // pipes from its stdout (rank 0: events) and stderr
    std::string outPart, errPart;
    std::vector<std::string> log;
    std::optional<int> status; // as waitpid gives it, once it has ended

    bool running() const { return !status || out >= 0 || err >= 0; }
    std::string name() const { return "rank " + std::to_string(index) + " (pid " + std::to_string(pid) + ")"; }
};

std::vector<std::string> environmentFor(int rank, int processes, int port, int threads)
{
    const std::vector<std::pair<std::string, std::string>> set = {
        {"RANK", std::to_string(rank)},
        {"LOCAL_RANK", std::to_string(rank)},
        {"WORLD_SIZE", std::to_string(processes)},
        {"LOCAL_WORLD_SIZE", std::to_string(processes)},
        {"MASTER_ADDR", "127.0.0.1"},
        {"MASTER_PORT", std::to_string(port)},
        {"TORCHELASTIC_USE_AGENT_STORE", "True"},
        {"SFT_STUDIO_THREADS", std::to_string(threads)}};
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e) {
        const std::string entry = *e;
        const std::string name = entry.substr(0, entry.find('='));
        if (std::none_of(set.begin(), set.end(), [&](const auto& s) { return s.first == name; }))
            env.push_back(entry);
    }
    for (const auto& [name, value] : set)
        env.push_back(name + "=" + value);
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings)
{
    std::vector<char*> all;
    for (std::string& s : strings)
        all.push_back(s.data());
    all.push_back(nullptr);
    return all;
}

void start(Rank& rank, const std::string& program, std::vector<std::string> args, std::vector<std::string> env)
{
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
        throw IoError(std::string("could not start the worker processes: ") + std::strerror(errno));
    std::vector<char*> argv = pointers(args), envp = pointers(env);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid == 0) {
        // Its own process group, so that a Ctrl-C in the terminal reaches this process alone, which
        // passes one stop on; and killed with it, so that no rank outlives the run's launcher.
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        dup2(out[1], STDOUT_FILENO);
        dup2(err[1], STDERR_FILENO);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    if (pid < 0) {
        close(out[0]);
        close(err[0]);
        throw IoError(std::string("could not start the worker processes: ") + std::strerror(errno));
    }
    rank.pid = pid;
    rank.out = out[0];
    rank.err = err[0];
    fcntl(rank.out, F_SETFL, O_NONBLOCK);
    fcntl(rank.err, F_SETFL, O_NONBLOCK);
}

// Reads what the pipe holds and hands over each complete line; closes it at its end.
template <class OnLine>
void drain(int& fd, std::string& part, OnLine onLine)
{
    char buffer[65536];
    while (fd >= 0) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            close(fd);
            fd = -1;
            if (!part.empty())
                onLine(part);
            part.clear();
            return;
        }
        part.append(buffer, size_t(n));
        for (size_t end; (end = part.find('\n')) != std::string::npos; part.erase(0, end + 1))
            onLine(part.substr(0, end));
    }
}

bool endedWell(int status) { return WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 130); }

std::string howItEnded(const Rank& rank)
{
    const int status = *rank.status;
    if (WIFSIGNALED(status))
        return rank.name() + " was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    std::string last;
    for (auto line = rank.log.rbegin(); line != rank.log.rend() && last.empty(); ++line)
        last = *line;
    const std::string cliError = "sft-studio: error: ";
    if (last.rfind(cliError, 0) == 0)
        last.erase(0, cliError.size());
    return rank.name() + " failed" + (last.empty() ? " (exit status " + std::to_string(WEXITSTATUS(status)) + ")" : ": " + last);
}

void writeLogs(const std::string& runDir, const std::vector<Rank>& ranks, const std::string& started)
{
    if (!fileExists(runDir + "/run.json"))
        return; // refused before the run began: its ranks' messages went into the error
    makeDirectories(runDir + "/logs");
    for (const Rank& rank : ranks) {
        const std::string path = runDir + "/logs/rank-" + std::to_string(rank.index) + ".log";
        appendLine(path, "--- started " + started + " as rank " + std::to_string(rank.index) + " of " +
                             std::to_string(ranks.size()));
        for (const std::string& line : rank.log)
            appendLine(path, line);
    }
}

class Launch {
public:
    Launch(int processes, double timeoutSeconds, TrainObserver& observer, const JobControl* control)
        : ranks_(size_t(processes)), grace_(std::chrono::milliseconds(int64_t(timeoutSeconds * 1000)) +
                                            std::chrono::seconds(10)),
          observer_(observer), control_(control)
    {
    }

    void start(const std::string& program, const std::string& taskFile, int port)
    {
        const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
        const int threads = std::max(1, cores / int(ranks_.size()));
        observer_.onMessage("Starting " + std::to_string(ranks_.size()) + " processes of " + std::to_string(threads) +
                            (threads == 1 ? " thread" : " threads") + " each");
        for (size_t i = 0; i < ranks_.size(); ++i) {
            ranks_[i].index = int(i);
            sft::start(ranks_[i], program, {program, "train", "--rank-task", taskFile},
                       environmentFor(int(i), int(ranks_.size()), port, threads));
        }
    }

    // Until every rank has ended; then the result rank 0 reported, or why there is none.
    TrainResult follow(const std::string& runDir)
    {
        while (std::any_of(ranks_.begin(), ranks_.end(), [](const Rank& r) { return r.running(); })) {
            waitForOutput();
            for (Rank& rank : ranks_)
                read(rank);
            reap();
            steer();
        }
        if (!failure_.empty() && fileExists(runDir + "/run.json"))
            throw DistributedError(failure_ + "; the other processes stopped too. The run continues from its last "
                                              "checkpoint with --resume (or Resume in the app).");
        if (!failure_.empty())
            throw DistributedError(failure_);
        if (!result_)
            throw DistributedError("rank 0 ended without reporting a result");
        return *result_;
    }

    const std::vector<Rank>& ranks() const { return ranks_; }

private:
    void waitForOutput()
    {
        std::vector<pollfd> fds;
        for (const Rank& r : ranks_)
            for (int fd : {r.out, r.err})
                if (fd >= 0)
                    fds.push_back({fd, POLLIN, 0});
        poll(fds.data(), fds.size(), 100);
    }

    void read(Rank& rank)
    {
        drain(rank.out, rank.outPart, [&](const std::string& line) {
            if (rank.index != 0) {
                rank.log.push_back(line);
                return;
            }
            try {
                if (auto result = readTrainEvent(line, observer_))
                    result_ = result;
            } catch (const std::exception& e) {
                rank.log.push_back(line + " (not understood: " + e.what() + ")");
            }
        });
        drain(rank.err, rank.errPart, [&](const std::string& line) { rank.log.push_back(line); });
    }

    void reap()
    {
        for (Rank& rank : ranks_) {
            int status = 0;
            if (rank.status || waitpid(rank.pid, &status, WNOHANG) != rank.pid)
                continue;
            rank.status = status;
            if (!endedWell(status) && failure_.empty()) {
                failure_ = howItEnded(rank);
                failedAt_ = Clock::now();
            }
        }
    }

    // A stop asked here goes to every rank once (they agree on the step to stop after); after a
    // failure, the ranks still there have their timeout to notice and end, then are killed.
    void steer()
    {
        if (control_ && control_->cancelRequested() && !stopSent_) {
            stopSent_ = true;
            signalRunning(SIGINT);
        }
        if (!failure_.empty() && Clock::now() - failedAt_ > grace_)
            signalRunning(SIGKILL);
    }

    void signalRunning(int signal)
    {
        for (const Rank& rank : ranks_)
            if (!rank.status)
                kill(rank.pid, signal);
    }

    std::vector<Rank> ranks_;
    Clock::duration grace_;
    TrainObserver& observer_;
    const JobControl* control_;
    std::optional<TrainResult> result_;
    std::string failure_;
    Clock::time_point failedAt_;
    bool stopSent_ = false;
};

} // namespace

std::string studioProgram()
{
    const QString self = QCoreApplication::applicationFilePath();
    if (QFileInfo(self).fileName() == "sft-studio")
        return self.toStdString();
    if (const char* given = std::getenv("SFT_STUDIO_PROGRAM"); given && *given)
        return given;
    const QString beside = QCoreApplication::applicationDirPath() + "/sft-studio";
    if (QFileInfo(beside).isExecutable())
        return beside.toStdString();
    throw ConfigError("cannot find the sft-studio program to start the worker processes with; set SFT_STUDIO_PROGRAM "
                      "to its path");
}

TrainResult runLocalRanks(const nlohmann::json& task, int processes, double timeoutSeconds, const std::string& runDir,
                          TrainObserver& observer, const JobControl* control)
{
    const std::string program = studioProgram();
    QTemporaryDir folder;
    if (!folder.isValid())
        throw IoError("could not make a temporary folder for the worker processes' task");
    const std::string taskFile = folder.filePath("task.json").toStdString();
    writeFileAtomic(taskFile, task.dump(2) + "\n");
    LocalRendezvous rendezvous(std::chrono::milliseconds(int64_t(timeoutSeconds * 1000)));
    const std::string started = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    Launch launch(processes, timeoutSeconds, observer, control);
    launch.start(program, taskFile, rendezvous.port());
    try {
        const TrainResult result = launch.follow(runDir);
        writeLogs(runDir, launch.ranks(), started);
        return result;
    } catch (...) {
        writeLogs(runDir, launch.ranks(), started);
        throw;
    }
}

} // namespace sft
