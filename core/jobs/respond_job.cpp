#include "core/jobs/respond_job.h"

#include "core/generate/responses_journal.h"
#include "core/hub/model_cache.h"
#include "core/jobs/loaded_models.h"
#include "core/util/error.h"

namespace sft {

namespace {

// What identifies the answers, so that a journal made for other work is never continued.
ResponsesWork workOf(const RespondJob& job, const std::string& modelDir, const Dataset& dataset)
{
    ResponsesWork work;
    work.modelDir = modelDir;
    work.tokenizerDir = job.tokenizer;
    work.datasetSha256 = dataset.sha256;
    work.split = job.split;
    work.templateName = job.templateName;
    work.key = job.key;
    work.maxNewTokens = int(job.generation.maxNewTokens);
    work.batchSize = int(job.generation.batchSize);
    return work;
}

JsonlJournal openJournal(const RespondJob& job, const ResponsesWork& work, size_t& discarded)
{
    if (job.earlier != RespondJob::Earlier::Discard)
        return openResponsesJournal(job.out, work, job.earlier == RespondJob::Earlier::Restart);
    try {
        return openResponsesJournal(job.out, work, false);
    } catch (const ConfigError&) {
        discarded = JsonlJournal(responsesJournalPath(job.out)).items().size();
        return openResponsesJournal(job.out, work, true);
    }
}

} // namespace

size_t runResponding(const RespondJob& job, const RespondEvents& events, const JobControl* control,
                     LoadedModels* models)
{
    const std::string modelDir = resolveModel(job.model);
    const std::shared_ptr<const InferenceModel> loaded =
        models ? models->get(modelDir, job.tokenizer)
               : std::make_shared<const InferenceModel>(loadForInference(modelDir, job.tokenizer));
    Gpt model = loaded->weights.model; // shares the weights
    const Tokenizer& tokenizer = loaded->tokenizer;
    const PromptTemplate tmpl = PromptTemplate::byName(job.templateName);
    const Dataset dataset = loadJobDataset(job.data, job.strict, events.note);
    const std::vector<Entry> entries = selectSplit(dataset.entries, job.split);
    size_t discarded = 0;
    JsonlJournal journal = openJournal(job, workOf(job, modelDir, dataset), discarded);
    if (events.loaded)
        events.loaded(entries, journal.items().size(), discarded);
    const nlohmann::json answers = respondJournaled(model, tokenizer, tmpl, entries, job.generation, journal,
                                                    job.key, events.progress, control, events.answered);
    finishResponses(job.out, answers);
    return answers.size();
}

} // namespace sft
