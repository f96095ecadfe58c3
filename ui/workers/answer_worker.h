#pragma once
// Answers the entries of a dataset split with a model on a worker thread, handing each batch's
// answers to the UI thread as it is done. Every answer is journaled as it is decoded (the CLI's
// OUT.journal.jsonl), so a cancelled or crashed job continues where it stopped when started
// again with the same settings, in the GUI or with `sft-studio respond`. The responses file is
// written once, whole, at the end.

#include "ui/workers/job_runner.h"
#include "ui/models/responses_table_model.h"

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <memory>
#include <vector>

namespace sft {
class LoadedModels;
}

namespace sft::ui {

struct AnswerRequest {
    QString model;        // model folder or downloaded model name
    QString dataset;
    QString split;        // train, val, test or all
    QString templateName; // alpaca, phi3 or a template file
    QString out;          // the responses file to write
    nlohmann::json generation; // the generation settings' options object (max new tokens, batch size)
};

class AnswerWorker : public JobRunner {
    Q_OBJECT
public:
    // The model comes from state->loadedModels(), loaded there when it is not yet.
    explicit AnswerWorker(StudioState* state, QObject* parent = nullptr);

    // False when a job is going already.
    bool startAnswering(const AnswerRequest& request);

Q_SIGNALS:
    // Every entry of the split, answers empty. `kept`: answers a stopped run left in the journal;
    // `discarded`: answers a stopped run with other settings left there, now gone.
    void loaded(const std::vector<sft::ui::ResponseRow>& rows, int kept, int discarded);
    // One batch's answers, by row; rows of answers kept from a stopped run come first.
    void answered(const std::vector<int>& rows, const QStringList& answers);
    // New tokens of all entries; an entry stopped by end-of-text counts its unused ones as done.
    void progressed(qint64 done, qint64 total);
    void written(const QString& path, int answers);
    // A dataset entry skipped as invalid, or a warning about one, as `respond` prints it.
    void noted(const QString& line);

private:
    std::shared_ptr<LoadedModels> models_; // the views' shared cache: a second job does not load the model again
};

} // namespace sft::ui
