#include "ui/run_setting.h"

#include "core/train/run_directory.h"
#include "core/train/run_products.h"

#include <QComboBox>
#include <QFileInfo>

namespace sft::ui {

QString runSetting(const QString& runPath, const char* pointer)
{
    if (!isRunFolder(runPath.toStdString()))
        return {};
    try {
        const nlohmann::json run = RunDirectory::open(runPath.toStdString()).readRunJson();
        const nlohmann::json::json_pointer at(pointer);
        return run.contains(at) && run.at(at).is_string() ? QString::fromStdString(run.at(at).get<std::string>())
                                                          : QString();
    } catch (const std::exception&) {
        return {};
    }
}

void selectRunTemplate(QComboBox* templates, const QString& runPath)
{
    const QString name = runSetting(runPath, "/options/template");
    if (name.isEmpty())
        return;
    if (templates->findText(name) < 0)
        templates->addItem(name);
    templates->setCurrentText(name);
}

} // namespace sft::ui
