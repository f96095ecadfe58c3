#include "ui/scores_location.h"

#include "core/judge/scores_file.h"
#include "core/train/run_products.h"
#include "core/util/files.h"

#include <QDir>
#include <QFileInfo>

namespace sft::ui {

QString scoresPathFor(const QString& responsesPath, const QString& responseKey, const QString& judgeModel,
                      const QString& promptName)
{
    return QString::fromStdString(sft::scoresPathFor(responsesPath.toStdString(), responseKey.toStdString(),
                                                     judgeModel.toStdString(), promptName.toStdString()));
}

QStringList scoresFilesFor(const QString& responsesPath, const QString& responseKey)
{
    const QFileInfo responses(responsesPath);
    QStringList found;
    if (!responses.exists())
        return found;
    const std::string sha256 = sha256OfFile(responsesPath.toStdString());
    const QFileInfoList candidates =
        responses.dir().entryInfoList({QString(kScoresPattern)}, QDir::Files, QDir::Time);
    for (const QFileInfo& candidate : candidates) {
        try {
            const ScoreSetup setup = loadStoredScores(candidate.filePath().toStdString()).setup;
            if (QFileInfo(QString::fromStdString(setup.responsesPath)).fileName() == responses.fileName() &&
                QString::fromStdString(setup.responseKey) == responseKey && setup.responsesSha256 == sha256)
                found << candidate.filePath();
        } catch (const std::exception&) {
            // Not a scores file of ours (or a damaged one): nothing to show for it here.
        }
    }
    return found;
}

} // namespace sft::ui
