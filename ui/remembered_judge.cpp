#include "ui/remembered_judge.h"

#include "core/judge/api_key_file.h"
#include "core/judge/score_run.h"

#include <QSettings>
#include <QStandardPaths>

namespace sft::ui {

RememberedJudge rememberedJudge()
{
    const QSettings settings;
    RememberedJudge judge;
    judge.server.url = settings.value("judge/url", QString::fromStdString(judge.server.url)).toString().toStdString();
    try {
        judge.server.api = judgeApiByName(settings.value("judge/api", "ollama").toString().toStdString());
    } catch (const std::exception&) {
        judge.server.api = JudgeApi::Ollama; // a settings file edited by hand
    }
    judge.model = settings.value("judge/model", QString::fromStdString(ScoreSettings().model)).toString().toStdString();
    try {
        judge.server.apiKey = ApiKeyStore(judgeKeyStorePath().toStdString()).keyFor(judge.server.url);
    } catch (const std::exception&) {
        // An unreadable key store: ask without a key; a server that wants one says so.
    }
    return judge;
}

void rememberJudge(const RememberedJudge& judge)
{
    QSettings settings;
    settings.setValue("judge/url", QString::fromStdString(judge.server.url));
    settings.setValue("judge/api", QString::fromStdString(judgeApiName(judge.server.api)));
    settings.setValue("judge/model", QString::fromStdString(judge.model));
}

QString judgeKeyStorePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + "/judge-api-keys.json";
}

} // namespace sft::ui
