#include "ui/workers/judge_worker.h"

namespace sft::ui {

JudgeWorker::JudgeWorker(StudioState* state, QObject* parent) : JobRunner(tr("Judging answers"), state, parent) {}

bool JudgeWorker::startListing(const JudgeServer& server)
{
    return start([this, server] {
        const auto client = makeJudgeClient(server);
        const QString version = QString::fromStdString(client->serverVersion(control()));
        QStringList names;
        for (const JudgeModel& m : client->models(control()))
            names << QString::fromStdString(m.name);
        post([this, version, names] { Q_EMIT listed(version, names); });
    });
}

bool JudgeWorker::startPull(const JudgeServer& server, const QString& model)
{
    return start([this, server, model] {
        const auto client = makeJudgeClient(server);
        client->pull(
            model.toStdString(),
            [this](const PullProgress& p) {
                post([this, status = QString::fromStdString(p.status), done = p.completed, total = p.total] {
                    Q_EMIT pullProgressed(status, done, total);
                });
            },
            control());
    });
}

bool JudgeWorker::startScoring(const JudgeServer& server, const ScoreSettings& settings, std::vector<EntryScore> known)
{
    return start([this, server, settings, known = std::move(known)]() mutable {
        const auto client = makeJudgeClient(server);
        ScoreEvents events;
        events.progress = [this](int64_t done, int64_t total, const std::string&) {
            post([this, done, total] { Q_EMIT scoringProgressed(done, total); });
        };
        events.note = [this](const std::string& line) {
            post([this, line = QString::fromStdString(line)] { Q_EMIT note(line); });
        };
        events.entryDone = [this, &known](const EntryScore& entry) {
            if (known.size() <= entry.index)
                known.resize(entry.index + 1);
            known[entry.index] = entry;
            post([this, entry, stats = statsOf(known)] { Q_EMIT entryScored(entry, stats); });
        };
        const ScoreRunResult result = runScoring(*client, settings, events, control());
        post([this, result] { Q_EMIT scored(result); });
    });
}

} // namespace sft::ui
