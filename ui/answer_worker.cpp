#include "ui/answer_worker.h"

#include "core/data/dataset.h"
#include "core/data/prompt_template.h"
#include "core/eval/responder.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/util/files.h"

namespace sft::ui {

namespace {

constexpr const char* kAnswerKey = "model_response";

std::vector<ResponseRow> rowsOf(const std::vector<Entry>& entries, const nlohmann::json& answered)
{
    std::vector<ResponseRow> rows;
    for (size_t i = 0; i < entries.size(); ++i) {
        const Entry& e = entries[i];
        rows.push_back({QString::fromStdString(e.instruction), QString::fromStdString(e.input),
                        QString::fromStdString(e.output),
                        QString::fromStdString(answered[i][kAnswerKey].get<std::string>()), std::nullopt});
    }
    return rows;
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
        const std::vector<Entry> entries =
            selectSplit(loadDataset(request.dataset.toStdString()).entries, request.split.toStdString());
        post([this, n = int(entries.size())] { Q_EMIT loaded(n); });

        GenerationOptions options;
        options.maxNewTokens = request.maxNewTokens;
        options.batchSize = request.batchSize;
        const int64_t total = int64_t(entries.size()) * options.maxNewTokens;
        int64_t shownPermille = -1;
        nlohmann::json all = nlohmann::json::array();
        // One respond() per batch, so each batch's rows can be shown as soon as it is done.
        for (size_t first = 0; first < entries.size(); first += size_t(options.batchSize)) {
            const std::vector<Entry> batch(entries.begin() + long(first),
                                           entries.begin() + long(std::min(entries.size(), first + size_t(options.batchSize))));
            const int64_t before = int64_t(first) * options.maxNewTokens;
            auto progress = [&](int64_t done, int64_t, const std::string&) {
                const int64_t permille = (before + done) * 1000 / std::max<int64_t>(1, total);
                if (permille == shownPermille)
                    return;
                shownPermille = permille;
                post([this, done = before + done, total] { Q_EMIT progressed(done, total); });
            };
            const nlohmann::json answered =
                respond(model.model, tokenizer, tmpl, batch, options, kAnswerKey, progress, control());
            post([this, rows = rowsOf(batch, answered)] { Q_EMIT this->answered(rows); });
            all.insert(all.end(), answered.begin(), answered.end());
        }
        // Answers may end inside a multi-byte character; such bytes become U+FFFD, as in the CLI.
        writeFileAtomic(request.out.toStdString(),
                        all.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
        post([this, out = request.out, n = int(all.size())] { Q_EMIT written(out, n); });
    });
}

} // namespace sft::ui
