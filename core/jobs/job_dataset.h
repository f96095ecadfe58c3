#pragma once
// The one policy for invalid dataset entries in every workflow, CLI and app alike: each one is
// reported and left out, and only a file with no usable entry is refused; `strict` refuses
// any invalid entry instead. Entries the chapter's code formats but that look like mistakes
// (an empty output) are used and reported as warnings.

#include "core/data/dataset.h"
#include "core/util/job_control.h"

#include <string>

namespace sft {

// DatasetError when the file cannot be used; `note` hears one line per skipped entry and per
// warning.
// fields: Preference for DPO, whose entries need chosen and rejected.
Dataset loadJobDataset(const std::string& path, bool strict, const NoteFn& note,
                       EntryFields fields = EntryFields::Instruction);

} // namespace sft
