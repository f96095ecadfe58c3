#pragma once
// Loads the models a view has chosen into the views' shared cache (StudioState::loadedModels)
// on a worker thread, while the user is still typing, so that Generate starts at once. One load
// at a time; a choice made while one loads is loaded after it (only the latest choice). Not a
// job the window waits for or asks about: closing waits for a load that is going, nothing else.

#include "ui/workers/job_runner.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace sft {
class LoadedModels;
}

namespace sft::ui {

class ModelPreloader : public JobRunner {
    Q_OBJECT
public:
    // Loads into state->loadedModels().
    explicit ModelPreloader(StudioState* state, QObject* parent = nullptr);

    // Loads each model (a folder, or a downloaded model's name; empty ones are skipped) that is
    // not loaded yet, after the load going now.
    void preload(const QStringList& models);

Q_SIGNALS:
    // For the view's status line, of each model not loaded before: "Loading NAME…", then
    // "NAME is loaded." or why it could not be.
    void statusChanged(const QString& text);

private:
    void startPending();

    std::shared_ptr<LoadedModels> models_;
    QStringList pending_;
};

} // namespace sft::ui
