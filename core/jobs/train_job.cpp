#include "core/jobs/train_job.h"

#include "core/dist/process_group.h"
#include "core/hub/model_cache.h"
#include "core/jobs/job_dataset.h"
#include "core/jobs/local_ranks.h"
#include "core/train/run_directory.h"
#include "core/util/error.h"

#include <QFileInfo>

namespace sft {

namespace {

// --nproc starts the processes itself; under a launcher's environment the launcher has.
std::optional<LaunchEnvironment> launchedBy(int64_t processes)
{
    std::optional<LaunchEnvironment> launch = launchEnvironment();
    if (launch && processes > 1)
        throw ConfigError("this process is one rank of a distributed run (RANK and WORLD_SIZE are set), so it "
                          "starts no processes of its own: leave out --nproc, or unset the torchrun variables");
    return launch;
}

} // namespace

nlohmann::json TrainJob::toJson() const
{
    return {{"model", model}, {"data", data},       {"out", out},
            {"tokenizer", tokenizer}, {"strict", strict}, {"options", options.toJson()}};
}

TrainJob TrainJob::fromJson(const nlohmann::json& j)
{
    TrainJob job;
    job.model = j.at("model");
    job.data = j.at("data");
    job.out = j.at("out");
    job.tokenizer = j.value("tokenizer", "");
    job.strict = j.value("strict", false);
    job.options = TrainOptions::fromJson(j.at("options"));
    return job;
}

nlohmann::json ResumeJob::toJson() const
{
    nlohmann::json j = {{"run", runDir}, {"more_epochs", moreEpochs}};
    if (processes)
        j["processes"] = *processes;
    if (distTimeout)
        j["dist_timeout"] = *distTimeout;
    return j;
}

ResumeJob ResumeJob::fromJson(const nlohmann::json& j)
{
    ResumeJob job;
    job.runDir = j.at("run");
    job.moreEpochs = j.value("more_epochs", int64_t(0));
    if (j.contains("processes"))
        job.processes = j["processes"].get<int64_t>();
    if (j.contains("dist_timeout"))
        job.distTimeout = j["dist_timeout"].get<double>();
    return job;
}

TrainResult runTraining(const TrainJob& job, TrainObserver& observer, const JobControl* control)
{
    job.options.validate();
    const std::optional<LaunchEnvironment> launch = launchedBy(job.options.processes);
    if (!launch && job.options.processes > 1)
        return runLocalRanks({{"train", job.toJson()}}, int(job.options.processes), job.options.distTimeout, job.out,
                             observer, control);
    const std::string modelDir = resolveModel(job.model);
    TrainOptions options = job.options;
    if (options.reference) // a downloaded model's name works here as for --model
        options.reference = QFileInfo(QString::fromStdString(resolveModel(*options.reference))).absoluteFilePath().toStdString();
    observer.onMessage("Loading " + job.model + " and " + job.data);
    TrainInputs inputs{loadModelFolder(modelDir), loadTokenizer(modelDir, job.tokenizer),
                       loadJobDataset(job.data, job.strict, [&](const std::string& line) { observer.onMessage(line); },
                                      job.options.entryFields())};
    return train(inputs, options, job.out, observer, control, launch ? &*launch : nullptr);
}

TrainResult runResume(const ResumeJob& job, TrainObserver& observer, const JobControl* control)
{
    const TrainOptions recorded = TrainOptions::fromJson(
        RunDirectory::open(job.runDir).readRunJson().value("options", nlohmann::json::object()));
    TrainOptions options = recorded;
    options.processes = job.processes.value_or(recorded.processes);
    options.distTimeout = job.distTimeout.value_or(recorded.distTimeout);
    options.validate();
    const std::optional<LaunchEnvironment> launch = launchedBy(job.processes.value_or(1));
    if (!launch && options.processes > 1) {
        ResumeJob each = job;
        each.processes.reset();
        return runLocalRanks({{"resume", each.toJson()}}, int(options.processes), options.distTimeout, job.runDir,
                             observer, control);
    }
    return resumeTraining(job.runDir, job.moreEpochs, observer, control, launch ? &*launch : nullptr,
                          job.distTimeout.value_or(0));
}

TrainResult runRankTask(const nlohmann::json& task, TrainObserver& observer, const JobControl* control)
{
    if (!launchEnvironment())
        throw ConfigError("a rank task runs under the environment its launcher gives it (RANK, WORLD_SIZE, ...)");
    if (task.contains("train")) {
        TrainJob job = TrainJob::fromJson(task["train"]);
        job.options.processes = 1; // this is one of them: the environment says how many there are
        return runTraining(job, observer, control);
    }
    if (task.contains("resume"))
        return runResume(ResumeJob::fromJson(task["resume"]), observer, control);
    throw FormatError("a rank task holds neither \"train\" nor \"resume\": " + task.dump());
}

} // namespace sft
