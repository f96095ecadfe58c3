#include "core/train/checkpoint_folders.h"

#include "core/train/resume_state.h"
#include "core/util/error.h"

#include <QDir>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace sft {

namespace {

// Hidden names: pickers and listings skip them.
std::string partialName(const std::string& name) { return "." + name + ".partial"; }
std::string oldName(const std::string& name) { return "." + name + ".old"; }

void removeFolder(const QString& path)
{
    if (QDir(path).exists() && !QDir(path).removeRecursively())
        throw IoError("cannot remove " + path.toStdString());
}

void renameFolder(const QString& from, const QString& to)
{
    if (!QDir().rename(from, to))
        throw IoError("cannot rename " + from.toStdString() + " to " + to.toStdString());
}

QString q(const std::string& s) { return QString::fromStdString(s); }

// The step-NNNNNN folders with their step counts, oldest first.
std::vector<std::pair<int64_t, QString>> stepFolders(const QString& dir)
{
    std::vector<std::pair<int64_t, QString>> steps;
    for (const QString& name : QDir(dir).entryList({"step-*"}, QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const qint64 step = name.mid(5).toLongLong(&ok);
        if (ok)
            steps.emplace_back(step, name);
    }
    std::sort(steps.begin(), steps.end());
    return steps;
}

} // namespace

std::string CheckpointFolders::stepName(int64_t stepsDone)
{
    char name[32];
    std::snprintf(name, sizeof name, "step-%06lld", (long long)stepsDone);
    return name;
}

std::string CheckpointFolders::publish(const std::string& name,
                                       const std::function<void(const std::string&)>& write) const
{
    const QString partial = q(path(partialName(name))), old = q(path(oldName(name))), target = q(path(name));
    removeFolder(partial);
    if (!QDir().mkpath(partial))
        throw IoError("cannot create folder " + partial.toStdString());
    try {
        write(partial.toStdString());
    } catch (...) {
        // A full disk is the usual cause: what was written would only hold on to the space.
        QDir(partial).removeRecursively();
        throw;
    }
    removeFolder(old);
    if (QDir(target).exists())
        renameFolder(target, old);
    renameFolder(partial, target);
    removeFolder(old);
    return target.toStdString();
}

void CheckpointFolders::recover() const
{
    const QDir dir(q(dir_));
    for (const QString& hidden : dir.entryList({".*.partial", ".*.old"}, QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot)) {
        const QString name = hidden.mid(1, hidden.lastIndexOf('.') - 1);
        if (hidden.endsWith(".old") && !dir.exists(name))
            renameFolder(dir.filePath(hidden), dir.filePath(name));
        else
            removeFolder(dir.filePath(hidden));
    }
}

std::string CheckpointFolders::latestResumable() const
{
    std::string best;
    int64_t bestSteps = -1;
    auto consider = [&](const std::string& folder) {
        if (!hasResumeState(folder))
            return;
        const int64_t steps = readTrainingState(folder).stepsDone;
        if (steps > bestSteps) {
            bestSteps = steps;
            best = folder;
        }
    };
    consider(path("final"));
    for (const auto& [step, name] : stepFolders(q(dir_)))
        consider(path(name.toStdString()));
    return best;
}

void CheckpointFolders::prune(int64_t keep) const
{
    if (keep <= 0)
        return;
    // Hidden first, so a kill halfway through a deletion leaves what recover() cleans up, never
    // a visible half of a checkpoint.
    const auto steps = stepFolders(q(dir_));
    for (size_t i = 0; i + size_t(keep) < steps.size(); ++i) {
        const std::string name = steps[i].second.toStdString();
        renameFolder(q(path(name)), q(path(partialName(name))));
        removeFolder(q(path(partialName(name))));
    }
}

void CheckpointFolders::rename(const std::string& from, const std::string& to) const
{
    renameFolder(q(path(from)), q(path(to)));
}

} // namespace sft
