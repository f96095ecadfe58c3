#pragma once
// GUI tests that prove a view's settings come from a settings table: the view has the widget
// each descriptor names, showing the descriptor's default, with its help as the tooltip.

#include "core/settings/setting.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QLocale>
#include <QSpinBox>
#include <QString>

#include <algorithm>
#include <cmath>
#include <vector>

namespace sft::test {

inline bool showsDefault(QWidget* w, const SettingInfo& s)
{
    const nlohmann::json& want = s.defaultValue;
    if (auto* spin = qobject_cast<QSpinBox*>(w))
        return nlohmann::json(spin->value()) == want;
    if (auto* real = qobject_cast<QDoubleSpinBox*>(w))
        return want.is_null() ? real->value() == real->minimum() && !real->specialValueText().isEmpty()
                              : std::abs(real->value() - want.get<double>()) < 1e-9;
    if (auto* edit = qobject_cast<QLineEdit*>(w))
        return s.kind == SettingKind::Integer ? nlohmann::json(edit->text().toULongLong()) == want
                                              : std::abs(QLocale().toDouble(edit->text()) - want.get<double>()) <=
                                                   1e-9 * std::abs(want.get<double>());
    if (auto* combo = qobject_cast<QComboBox*>(w)) // an optional text shows no value as an empty field
        return want.is_null() ? combo->currentText().isEmpty() : combo->currentText().toStdString() == want.get<std::string>();
    if (auto* box = qobject_cast<QCheckBox*>(w))
        return (box->isChecked() != s.formTurnsOff) == want.get<bool>();
    for (const std::string& choice : s.choices) {
        auto* item = w->findChild<QCheckBox*>(QString::fromStdString(s.widget + "_" + choice));
        const bool chosen = std::find(want.begin(), want.end(), choice) != want.end();
        if (!item || item->isChecked() != chosen)
            return false;
    }
    return !s.choices.empty();
}

// Why `view` does not show `settings` as their table defines them, or empty.
inline QString settingWidgetProblem(const QWidget* view, const std::vector<SettingInfo>& settings)
{
    for (const SettingInfo& s : settings) {
        const QString name = QString::fromStdString(s.widget);
        auto* w = view->findChild<QWidget*>(name);
        if (!w)
            return "no widget " + name;
        if (!showsDefault(w, s))
            return name + " does not show " + QString::fromStdString(s.defaultValue.dump());
        if (w->toolTip().toStdString() != s.help)
            return name + "'s tooltip is not the setting's help";
        auto* spin = qobject_cast<QSpinBox*>(w);
        if (spin && (spin->minimum() != s.min || spin->maximum() != std::min(s.max, double(INT32_MAX))))
            return name + " allows another range than " + QString::fromStdString(s.rangeText());
    }
    return {};
}

} // namespace sft::test
