#pragma once
// Generates answers to one prompt with one or two models on a worker thread, handing the text
// to the UI thread as each token arrives. Models stay loaded between requests, in the cache the
// views share (StudioState::loadedModels): loading GPT-2 medium takes seconds, a short answer less.

#include "ui/workers/job_runner.h"

#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <memory>

namespace sft {
class LoadedModels;
}

namespace sft::ui {

struct PlaygroundRequest {
    QString prompt;     // the exact text given to the model
    QStringList models; // one model folder, or two for answers side by side
    nlohmann::json generation; // the generation settings' options object (max new tokens, sampling)
};

class PlaygroundWorker : public JobRunner {
    Q_OBJECT
public:
    // The models come from state->loadedModels(), loaded there when they are not yet.
    explicit PlaygroundWorker(StudioState* state, QObject* parent = nullptr);

    // False when a job is going already.
    bool startGenerating(const PlaygroundRequest& request);

Q_SIGNALS:
    // The model is not loaded yet (or is loading in the background): the answer waits for it.
    void loading(int side, const QString& model);
    // The answer so far, whole characters only (a character split over tokens waits for its end).
    void answerGrew(int side, const QString& text, int tokens);
    // Every byte generated, as the tokenizer decodes it; tokensPerSecond counts generation only.
    void answerDone(int side, const QString& text, int tokens, double tokensPerSecond);

private:
    std::shared_ptr<LoadedModels> models_;
};

} // namespace sft::ui
