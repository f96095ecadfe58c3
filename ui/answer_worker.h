#pragma once
// Answers the entries of a dataset split with a model on a worker thread, a batch at a time,
// handing each batch's rows to the UI thread as it is done. The responses file is written once,
// whole, at the end: a cancelled job leaves no file behind.

#include "ui/job_runner.h"
#include "ui/responses_table_model.h"

#include <QString>

#include <vector>

namespace sft::ui {

struct AnswerRequest {
    QString model;        // model folder or downloaded model name
    QString dataset;
    QString split;        // train, val, test or all
    QString templateName; // alpaca, phi3 or a template file
    QString out;          // the responses file to write
    int maxNewTokens = 256;
    int batchSize = 8;
};

class AnswerWorker : public JobRunner {
    Q_OBJECT
public:
    explicit AnswerWorker(StudioState* state, QObject* parent = nullptr);

    // False when a job is going already.
    bool startAnswering(const AnswerRequest& request);

Q_SIGNALS:
    void loaded(int entries);
    void answered(const std::vector<sft::ui::ResponseRow>& rows);
    // New tokens of all entries; an entry stopped by end-of-text counts its unused ones as done.
    void progressed(qint64 done, qint64 total);
    void written(const QString& path, int answers);
};

} // namespace sft::ui
