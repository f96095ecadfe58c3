#include "core/jobs/train_job.h"

#include "core/hub/model_cache.h"
#include "core/jobs/job_dataset.h"

#include <QFileInfo>

namespace sft {

TrainResult runTraining(const TrainJob& job, TrainObserver& observer, const JobControl* control)
{
    job.options.validate();
    const std::string modelDir = resolveModel(job.model);
    TrainOptions options = job.options;
    if (options.reference) // a downloaded model's name works here as for --model
        options.reference = QFileInfo(QString::fromStdString(resolveModel(*options.reference))).absoluteFilePath().toStdString();
    observer.onMessage("Loading " + job.model + " and " + job.data);
    TrainInputs inputs{loadModelFolder(modelDir), loadTokenizer(modelDir, job.tokenizer),
                       loadJobDataset(job.data, job.strict, [&](const std::string& line) { observer.onMessage(line); },
                                      job.options.entryFields())};
    return train(inputs, options, job.out, observer, control);
}

} // namespace sft
