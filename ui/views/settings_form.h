#pragma once
// Form rows made from a settings table's descriptors: the widget follows the kind (spin box,
// text field for numbers like 5e-5, combo box, check box, one check box per list item), its
// range, tooltip and special texts come from the descriptor, and its object name is the
// descriptor's. The form speaks the options object of run.json, so a view never names a setting.

#include "core/settings/setting.h"

#include <QObject>
#include <QString>

#include <map>
#include <string>
#include <vector>

class QBoxLayout;
class QFormLayout;
class QWidget;

namespace sft::ui {

class SettingsForm : public QObject {
    Q_OBJECT
public:
    explicit SettingsForm(std::vector<SettingInfo> settings, QObject* parent = nullptr);

    // A form layout holding the rows of one group ("" for the settings outside any group). A
    // setting under a Switch is enabled only while that switch is on.
    QWidget* section(const std::string& group);
    // The same rows added to `form`, below what it holds.
    void addRows(QFormLayout* form, const std::string& group);
    // The same fields side by side in `row`, each after its label, for a strip of controls.
    void addFields(QBoxLayout* row, const std::string& group);
    // The options object: each applying setting at its key.
    nlohmann::json values() const;
    // Shows `options`; a setting it lacks shows its default.
    void show(const nlohmann::json& options);
    // The widget of the setting with this key ("/batch_size"), or null.
    QWidget* widget(const std::string& key) const;

Q_SIGNALS:
    void changed();

private:
    QWidget* makeWidget(const SettingInfo& s);
    nlohmann::json valueOf(const SettingInfo& s) const;
    void showValue(const SettingInfo& s, const nlohmann::json& value);
    bool switchedOn(const std::string& flag) const;
    // Enables `field` and its label only while the switch `s` sits under is on.
    void followSwitch(const SettingInfo& s, QWidget* field, QWidget* label);

    std::vector<SettingInfo> settings_;
    std::map<std::string, QWidget*> widgets_; // by key
};

} // namespace sft::ui
