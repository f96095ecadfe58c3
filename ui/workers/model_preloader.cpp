#include "ui/workers/model_preloader.h"

#include "core/jobs/loaded_models.h"
#include "ui/studio_state.h"

#include <QDir>
#include <QFileInfo>

namespace sft::ui {

ModelPreloader::ModelPreloader(StudioState* state, QObject* parent)
    // No state for the runner: a load in the background is not a job to ask about on closing.
    : JobRunner(tr("Loading a model"), nullptr, parent), models_(state->loadedModels())
{
    connect(this, &JobRunner::finished, this, &ModelPreloader::startPending);
}

void ModelPreloader::preload(const QStringList& models)
{
    pending_.clear();
    for (const QString& model : models)
        if (!model.isEmpty())
            pending_ << model;
    startPending();
}

void ModelPreloader::startPending()
{
    if (isRunning() || pending_.isEmpty())
        return;
    start([this, wanted = std::exchange(pending_, {}), models = models_] {
        for (const QString& model : wanted) {
            control()->checkpoint();
            if (models->isLoaded(model.toStdString()))
                continue;
            const QString name = QFileInfo(QDir::cleanPath(model)).fileName(); // as the views name checkpoints
            post([this, name] { Q_EMIT statusChanged(tr("Loading %1…").arg(name)); });
            QString text = tr("%1 is loaded.").arg(name);
            try {
                models->get(model.toStdString());
            } catch (const std::exception& e) {
                text = tr("%1 could not be loaded: %2").arg(name, QString::fromStdString(e.what()));
            }
            post([this, text] { Q_EMIT statusChanged(text); });
        }
    });
}

} // namespace sft::ui
