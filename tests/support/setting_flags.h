#pragma once
// CLI tests that prove a command's flags come from a settings table: each descriptor is a flag
// of the command, with its help and "Default: X." as the table defines it.

#include "core/settings/setting.h"
#include "tests/support/test_support.h"

#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <map>
#include <vector>

namespace sft::test {

// The default as --help shows it.
inline QString shownDefault(const SettingInfo& s)
{
    const nlohmann::json& v = s.defaultValue;
    if (v.is_null())
        return QString::fromStdString(s.noneText);
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    if (v.is_number_float())
        return QString::number(v.get<double>(), 'g', 10);
    QString shown = QString::fromStdString(v.dump());
    return v.is_array() ? shown.remove('"').remove('[').remove(']') : shown;
}

// Why `sft-studio <command> --help` does not offer `settings` as their table defines them, or empty.
inline QString settingFlagProblem(const QString& command, const std::vector<SettingInfo>& settings)
{
    const auto r = runStudio({command, "--help"});
    if (r.exitCode != 0)
        return command + " --help failed: " + r.err;
    std::map<QString, QString> help;
    QString current;
    for (const QString& line : r.out.split('\n')) {
        const QRegularExpressionMatch m = QRegularExpression("^  --([a-z0-9-]+)").match(line);
        if (m.hasMatch())
            current = m.captured(1);
        if (!current.isEmpty())
            help[current] += ' ' + line.simplified();
    }
    for (const SettingInfo& s : settings) {
        const QString flag = QString::fromStdString(s.flag);
        if (!help.count(flag))
            return command + " has no --" + flag;
        const QString text = help.at(flag).simplified();
        if (!text.contains(QString::fromStdString(s.help).simplified().left(20)))
            return "--" + flag + " lacks its help: " + text;
        if (s.kind != SettingKind::Switch && !text.contains("Default: " + shownDefault(s) + "."))
            return "--" + flag + " lacks Default: " + shownDefault(s) + ".: " + text;
    }
    return {};
}

} // namespace sft::test
