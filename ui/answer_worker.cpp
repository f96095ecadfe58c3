#include "ui/answer_worker.h"

#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/eval/responder.h"
#include "core/eval/responses_journal.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/util/error.h"

namespace sft::ui {

namespace {

constexpr const char* kAnswerKey = "model_response";

std::vector<ResponseRow> unansweredRows(const std::vector<Entry>& entries)
{
    std::vector<ResponseRow> rows;
    for (const Entry& e : entries)
        rows.push_back({QString::fromStdString(e.instruction), QString::fromStdString(e.input),
                        QString::fromStdString(e.output), QString(), std::nullopt});
    return rows;
}

// What identifies the answers, as `sft-studio respond` records it, so either continues the other.
ResponsesWork workOf(const AnswerRequest& request, const std::string& modelDir, const Dataset& dataset)
{
    ResponsesWork work;
    work.modelDir = modelDir;
    work.datasetSha256 = dataset.sha256;
    work.split = request.split.toStdString();
    work.templateName = request.templateName.toStdString();
    work.key = kAnswerKey;
    work.maxNewTokens = request.maxNewTokens;
    work.batchSize = request.batchSize;
    return work;
}

// Answers a stopped run made with other settings cannot be continued; starting anew with the
// new settings is what the user asked for, so they are discarded and counted.
JsonlJournal openJournal(const std::string& out, const ResponsesWork& work, int& discarded)
{
    try {
        return openResponsesJournal(out, work, false);
    } catch (const ConfigError&) {
        discarded = int(JsonlJournal(responsesJournalPath(out)).items().size());
        return openResponsesJournal(out, work, true);
    }
}

} // namespace

AnswerWorker::AnswerWorker(StudioState* state, QObject* parent) : JobRunner(tr("Generating answers"), state, parent) {}

bool AnswerWorker::startAnswering(const AnswerRequest& request)
{
    return start([this, request] {
        const std::string modelDir = resolveModel(request.model.toStdString());
        LoadedModel model = loadModelFolder(modelDir);
        const Tokenizer tokenizer = loadTokenizer(modelDir);
        const PromptTemplate tmpl = PromptTemplate::byName(request.templateName.toStdString());
        const Dataset dataset = loadDataset(request.dataset.toStdString());
        const std::vector<Entry> entries = selectSplit(dataset.entries, request.split.toStdString());
        const std::string out = request.out.toStdString();
        int discarded = 0;
        JsonlJournal journal = openJournal(out, workOf(request, modelDir, dataset), discarded);
        post([this, rows = unansweredRows(entries), kept = int(journal.items().size()), discarded] {
            Q_EMIT loaded(rows, kept, discarded);
        });

        GenerationOptions options;
        options.maxNewTokens = request.maxNewTokens;
        options.batchSize = request.batchSize;
        int64_t shownPermille = -1;
        const auto progress = [&](int64_t done, int64_t total, const std::string&) {
            const int64_t permille = done * 1000 / std::max<int64_t>(1, total);
            if (permille == shownPermille)
                return;
            shownPermille = permille;
            post([this, done, total] { Q_EMIT progressed(done, total); });
        };
        const auto answered = [&](const std::vector<size_t>& indexes, const std::vector<std::string>& texts) {
            std::vector<int> rows(indexes.begin(), indexes.end());
            QStringList answers;
            for (const std::string& text : texts)
                answers << QString::fromStdString(text);
            post([this, rows, answers] { Q_EMIT this->answered(rows, answers); });
        };
        const nlohmann::json all =
            respondJournaled(model.model, tokenizer, tmpl, entries, options, journal, kAnswerKey, progress, control(),
                             answered);
        finishResponses(out, all);
        post([this, out = request.out, n = int(all.size())] { Q_EMIT written(out, n); });
    });
}

} // namespace sft::ui
