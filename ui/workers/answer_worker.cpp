#include "ui/workers/answer_worker.h"

#include "core/generate/generation_settings.h"
#include "core/jobs/loaded_models.h"
#include "core/jobs/respond_job.h"
#include "ui/studio_state.h"

namespace sft::ui {

namespace {

std::vector<ResponseRow> unansweredRows(const std::vector<Entry>& entries)
{
    std::vector<ResponseRow> rows;
    for (const Entry& e : entries)
        rows.push_back({QString::fromStdString(e.instruction), QString::fromStdString(e.input),
                        QString::fromStdString(e.output), QString(), std::nullopt});
    return rows;
}

// The settings of `sft-studio respond`, so that either continues what the other stopped. Answers
// a stopped run made with other settings are discarded (and counted): starting anew with the
// new settings is what the user asked for.
RespondJob jobOf(const AnswerRequest& request)
{
    RespondJob job;
    job.model = request.model.toStdString();
    job.data = request.dataset.toStdString();
    job.out = request.out.toStdString();
    job.split = request.split.toStdString();
    job.templateName = request.templateName.toStdString();
    job.generation = generationSettings().fromJson(request.generation);
    job.earlier = RespondJob::Earlier::Discard;
    return job;
}

} // namespace

AnswerWorker::AnswerWorker(StudioState* state, QObject* parent)
    : JobRunner(tr("Generating answers"), state, parent), models_(state->loadedModels())
{
}

bool AnswerWorker::startAnswering(const AnswerRequest& request)
{
    return start([this, request, models = models_] {
        int64_t shownPermille = -1;
        RespondEvents events;
        events.note = [this](const std::string& line) {
            post([this, line = QString::fromStdString(line)] { Q_EMIT noted(line); });
        };
        events.loaded = [this](const std::vector<Entry>& entries, size_t kept, size_t discarded) {
            post([this, rows = unansweredRows(entries), kept = int(kept), discarded = int(discarded)] {
                Q_EMIT loaded(rows, kept, discarded);
            });
        };
        events.progress = [&](int64_t done, int64_t total, const std::string&) {
            const int64_t permille = done * 1000 / std::max<int64_t>(1, total);
            if (permille == shownPermille)
                return;
            shownPermille = permille;
            post([this, done, total] { Q_EMIT progressed(done, total); });
        };
        events.answered = [this](const std::vector<size_t>& indexes, const std::vector<std::string>& texts) {
            std::vector<int> rows(indexes.begin(), indexes.end());
            QStringList answers;
            for (const std::string& text : texts)
                answers << QString::fromStdString(text);
            post([this, rows, answers] { Q_EMIT answered(rows, answers); });
        };
        const size_t n = runResponding(jobOf(request), events, control(), models.get());
        post([this, out = request.out, n = int(n)] { Q_EMIT written(out, n); });
    });
}

} // namespace sft::ui
