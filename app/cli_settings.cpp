#include "app/cli_settings.h"

#include <QString>
#include <QStringList>

namespace sft::cli {

namespace {

QString defaultText(const SettingInfo& s, const nlohmann::json& defaults)
{
    const nlohmann::json::json_pointer at(s.key);
    const nlohmann::json& v = defaults.contains(at) ? defaults.at(at) : s.defaultValue;
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    if (v.is_number_float())
        return QString::fromStdString(settingNumberText(v.get<double>()));
    if (v.is_array()) {
        QStringList names;
        for (const auto& name : v)
            names << QString::fromStdString(name.get<std::string>());
        return names.join(',');
    }
    return v.is_number() ? QString::fromStdString(v.dump()) : QString();
}

nlohmann::json parseValue(const SettingInfo& s, const QString& text)
{
    bool ok = true;
    nlohmann::json value;
    switch (s.kind) {
    case SettingKind::Integer:
        value = text.trimmed().toLongLong(&ok);
        break;
    case SettingKind::Real:
        value = text.trimmed().toDouble(&ok);
        break;
    case SettingKind::List:
        value = nlohmann::json::array();
        if (text.trimmed() == "all")
            value = s.choices;
        else
            for (const QString& name : text.split(',', Qt::SkipEmptyParts))
                value.push_back(name.trimmed().toStdString());
        break;
    default:
        value = text.toStdString();
    }
    const std::string problem = ok ? checkSettingValue(s, value) : "must be " + s.rangeText();
    if (!problem.empty())
        throw UsageError("--" + s.flag + " " + problem + (ok ? "" : ", not '" + text.toStdString() + "'"));
    return value;
}

} // namespace

void addSettingFlags(Options& o, const std::vector<SettingInfo>& settings, const nlohmann::json& defaults)
{
    for (const SettingInfo& s : settings) {
        const QString flag = QString::fromStdString(s.flag);
        QString help = QString::fromStdString(s.help);
        const QString shownDefault =
            s.noneText.empty() ? defaultText(s, defaults) : QString::fromStdString(s.noneText);
        if (!shownDefault.isEmpty())
            help += QString(" Default: %1.").arg(shownDefault);
        if (!s.parent.empty() && s.parent != s.flag)
            help += QString(" Goes with --%1.").arg(QString::fromStdString(s.parent));
        if (s.kind == SettingKind::Switch)
            o.add(flag, help);
        else
            o.add(flag, help, QString::fromStdString(s.valueName), defaultText(s, defaults));
    }
}

nlohmann::json readSettingFlags(const Options& o, const std::vector<SettingInfo>& settings,
                                const nlohmann::json& defaults)
{
    nlohmann::json options = nlohmann::json::object();
    const auto on = [&](const std::string& flag) {
        const SettingInfo* s = findSetting(settings, flag);
        const bool given = o.isSet(QString::fromStdString(flag));
        return !s || (s->flagTurnsOff ? !given : given);
    };
    for (const SettingInfo& s : settings) {
        const QString flag = QString::fromStdString(s.flag);
        if (!s.parent.empty() && !on(s.parent)) {
            if (o.isSet(flag))
                throw UsageError("--" + s.flag + " goes with --" + s.parent);
            continue;
        }
        const nlohmann::json::json_pointer at(s.key);
        if (s.kind == SettingKind::Switch) {
            const bool value = s.flagTurnsOff ? !o.isSet(flag) : o.isSet(flag);
            if (!s.holdsChildren)
                options[at] = value;
            else if (!value)
                options[at] = nullptr;
        } else {
            options[at] = o.isSet(flag)            ? parseValue(s, QString::fromStdString(o.text(flag)))
                          : defaults.contains(at) ? defaults.at(at)
                                                  : s.defaultValue;
        }
    }
    return options;
}

std::string firstSettingFlagSet(const Options& o, const std::vector<SettingInfo>& settings)
{
    for (const SettingInfo& s : settings)
        if (o.isSet(QString::fromStdString(s.flag)))
            return s.flag;
    return {};
}

} // namespace sft::cli
