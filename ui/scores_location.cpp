#include "ui/scores_location.h"

#include "core/eval/scores_file.h"
#include "core/util/files.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace sft::ui {

namespace {

// Model names carry ':' and '/' (llama3:latest, org/model), which file names should not.
QString fileNamePart(QString text)
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9._+-]+"));
    return text.replace(unsafe, QStringLiteral("_"));
}

QString answersName(const QString& responsesPath)
{
    QString stem = QFileInfo(responsesPath).completeBaseName();
    if (stem.startsWith(QLatin1String("responses-")) && stem.size() > 10)
        stem = stem.mid(10);
    return stem;
}

} // namespace

QString scoresPathFor(const QString& responsesPath, const QString& responseKey, const QString& judgeModel,
                      const QString& promptName)
{
    QString name = QStringLiteral("scores-") + fileNamePart(answersName(responsesPath));
    if (responseKey != QLatin1String("model_response"))
        name += QLatin1Char('-') + fileNamePart(responseKey);
    name += QLatin1Char('-') + fileNamePart(judgeModel) + QLatin1Char('-') + fileNamePart(promptName) +
            QStringLiteral(".json");
    return QFileInfo(responsesPath).dir().filePath(name);
}

QStringList scoresFilesFor(const QString& responsesPath, const QString& responseKey)
{
    const QFileInfo responses(responsesPath);
    QStringList found;
    if (!responses.exists())
        return found;
    const std::string sha256 = sha256OfFile(responsesPath.toStdString());
    const QFileInfoList candidates =
        responses.dir().entryInfoList({QStringLiteral("scores-*.json")}, QDir::Files, QDir::Time);
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
