#include "ui/workers/playground_worker.h"

#include "core/generate/generation_settings.h"
#include "core/generate/generator.h"
#include "core/jobs/loaded_models.h"
#include "core/tokenizer/token_text_stream.h"
#include "ui/studio_state.h"

#include <chrono>

namespace sft::ui {

PlaygroundWorker::PlaygroundWorker(StudioState* state, QObject* parent)
    : JobRunner(tr("Playground"), state, parent), models_(state->loadedModels())
{
}

bool PlaygroundWorker::startGenerating(const PlaygroundRequest& request)
{
    return start([this, request, models = models_] {
        GenerationOptions options = generationSettings().fromJson(request.generation);
        for (int side = 0; side < request.models.size(); ++side) {
            const QString path = request.models[side];
            if (!models->isLoaded(path.toStdString()))
                post([this, side, path] { Q_EMIT loading(side, path); });
            const std::shared_ptr<const InferenceModel> model = models->get(path.toStdString());
            Gpt weights = model->weights.model;
            const std::vector<int> ids = model->tokenizer.encode(request.prompt.toStdString());
            TokenTextStream stream(model->tokenizer);
            int tokens = 0;
            options.onToken = [&](size_t, int64_t token) {
                stream.push(token);
                ++tokens;
                post([this, side, tokens, text = QString::fromStdString(stream.completeText())] {
                    Q_EMIT answerGrew(side, text, tokens);
                });
            };
            const auto began = std::chrono::steady_clock::now();
            generate(weights, {std::vector<int64_t>(ids.begin(), ids.end())}, options, {}, control());
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
            post([this, side, tokens, rate = tokens / std::max(seconds, 1e-9),
                  text = QString::fromStdString(stream.bytes())] { Q_EMIT answerDone(side, text, tokens, rate); });
        }
    });
}

} // namespace sft::ui
