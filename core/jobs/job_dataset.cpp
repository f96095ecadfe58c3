#include "core/jobs/job_dataset.h"

namespace sft {

Dataset loadJobDataset(const std::string& path, bool strict, const NoteFn& note, EntryFields fields)
{
    Dataset dataset = loadDataset(path, strict ? BadEntries::Refuse : BadEntries::Skip, fields);
    if (!note)
        return dataset;
    for (const EntryProblem& p : dataset.skipped)
        note("skipped " + p.describe());
    for (const EntryProblem& p : dataset.warnings)
        note("warning: " + p.describe());
    return dataset;
}

} // namespace sft
