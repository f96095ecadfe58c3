#include "core/jobs/train_job.h"

#include "core/hub/model_cache.h"
#include "core/jobs/job_dataset.h"

namespace sft {

TrainResult runTraining(const TrainJob& job, TrainObserver& observer, const JobControl* control)
{
    job.options.validate();
    const std::string modelDir = resolveModel(job.model);
    observer.onMessage("Loading " + job.model + " and " + job.data);
    TrainInputs inputs{loadModelFolder(modelDir), loadTokenizer(modelDir, job.tokenizer),
                       loadJobDataset(job.data, job.strict, [&](const std::string& line) { observer.onMessage(line); })};
    return train(inputs, job.options, job.out, observer, control);
}

} // namespace sft
