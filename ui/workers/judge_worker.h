#pragma once
// The judge panel's work on a worker thread: asking a judge server which models it has, pulling
// one with progress, and scoring a responses file entry by entry (each score reaches the UI as it
// is known, and is on disk before that). The client calls block, which is why they live here.

#include "core/judge/score_run.h"
#include "ui/workers/job_runner.h"

#include <QString>
#include <QStringList>

namespace sft::ui {

class JudgeWorker : public JobRunner {
    Q_OBJECT
public:
    explicit JudgeWorker(StudioState* state, QObject* parent = nullptr);

    // Each returns false when a job is going already.
    bool startListing(const JudgeServer& server);
    bool startPull(const JudgeServer& server, const QString& model);
    // `known`: the entries of settings.outPath as last shown, so the statistics sent with each new
    // score cover the earlier ones too.
    bool startScoring(const JudgeServer& server, const ScoreSettings& settings, std::vector<EntryScore> known);

Q_SIGNALS:
    // The server answered: its version ("" for OpenAI-compatible servers) and model names.
    void listed(const QString& version, const QStringList& models);
    void pullProgressed(const QString& status, qint64 completed, qint64 total);
    void scoringProgressed(qint64 done, qint64 total);
    // A new score, and the statistics of all scores known now (computed here, off the UI thread).
    void entryScored(const sft::EntryScore& entry, const sft::ScoreStats& stats);
    void note(const QString& line); // retries and warnings, as the CLI prints them
    void scored(const sft::ScoreRunResult& result);
};

} // namespace sft::ui
