#include "ui/workers/playground_worker.h"

#include "core/generate/generation_settings.h"
#include "core/generate/generator.h"
#include "core/hub/model_cache.h"
#include "core/io/model_folder.h"
#include "core/tokenizer/token_text_stream.h"

#include <chrono>
#include <map>

namespace sft::ui {

struct PlaygroundWorker::LoadedModels {
    struct Model {
        LoadedModel weights;
        Tokenizer tokenizer;
    };
    std::map<QString, Model> byPath;

    // Keeps only the models of the current request, so memory holds two models at most.
    void keepOnly(const QStringList& paths)
    {
        for (auto it = byPath.begin(); it != byPath.end();)
            it = paths.contains(it->first) ? std::next(it) : byPath.erase(it);
    }
};

PlaygroundWorker::PlaygroundWorker(StudioState* state, QObject* parent)
    : JobRunner(tr("Playground"), state, parent), loaded_(std::make_unique<LoadedModels>())
{
}

PlaygroundWorker::~PlaygroundWorker()
{
    cancel();
    wait();
}

bool PlaygroundWorker::startGenerating(const PlaygroundRequest& request)
{
    return start([this, request] {
        loaded_->keepOnly(request.models);
        GenerationOptions options = generationSettings().fromJson(request.generation);
        for (int side = 0; side < request.models.size(); ++side) {
            const QString path = request.models[side];
            if (!loaded_->byPath.count(path)) {
                post([this, side, path] { Q_EMIT loading(side, path); });
                const std::string dir = resolveModel(path.toStdString());
                loaded_->byPath.emplace(path, LoadedModels::Model{loadModelFolder(dir), loadTokenizer(dir)});
            }
            LoadedModels::Model& model = loaded_->byPath.at(path);
            const std::vector<int> ids = model.tokenizer.encode(request.prompt.toStdString());
            TokenTextStream stream(model.tokenizer);
            int tokens = 0;
            options.onToken = [&](size_t, int64_t token) {
                stream.push(token);
                ++tokens;
                post([this, side, tokens, text = QString::fromStdString(stream.completeText())] {
                    Q_EMIT answerGrew(side, text, tokens);
                });
            };
            const auto began = std::chrono::steady_clock::now();
            generate(model.weights.model, {std::vector<int64_t>(ids.begin(), ids.end())}, options, {}, control());
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
            post([this, side, tokens, rate = tokens / std::max(seconds, 1e-9),
                  text = QString::fromStdString(stream.bytes())] { Q_EMIT answerDone(side, text, tokens, rate); });
        }
    });
}

} // namespace sft::ui
