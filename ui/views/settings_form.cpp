#include "ui/views/settings_form.h"

#include "ui/named.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpressionValidator>
#include <QSpinBox>

#include <algorithm>
#include <climits>
#include <cmath>

namespace sft::ui {

namespace {

QString text(const std::string& s) { return QString::fromStdString(s); }

double number(const QString& typed)
{
    bool ok = false;
    const double v = QLocale().toDouble(typed, &ok);
    return ok ? v : QLocale::c().toDouble(typed);
}

QWidget* integerWidget(const SettingInfo& s)
{
    if (s.max > INT_MAX) { // a seed: beyond what a spin box holds
        auto* edit = new QLineEdit;
        edit->setValidator(new QRegularExpressionValidator(QRegularExpression("[0-9]{1,19}"), edit));
        return edit;
    }
    auto* box = new QSpinBox;
    box->setRange(int(s.min), int(s.max));
    box->setSpecialValueText(text(s.minText));
    box->setSuffix(text(s.unit));
    return box;
}

QWidget* realWidget(const SettingInfo& s)
{
    if (s.scientific) {
        auto* edit = new QLineEdit;
        edit->setValidator(new QDoubleValidator(s.min, s.max, 30, edit));
        return edit;
    }
    auto* box = new QDoubleSpinBox;
    const double unit = std::pow(10.0, -s.decimals);
    const double low = s.min + (s.minExclusive ? unit : 0) - (s.noneText.empty() ? 0 : unit);
    box->setDecimals(s.decimals);
    box->setRange(low, s.max - (s.maxExclusive ? unit : 0));
    box->setSingleStep(unit * 10);
    box->setSpecialValueText(text(s.noneText.empty() ? s.minText : s.noneText));
    box->setSuffix(text(s.unit));
    return box;
}

QWidget* listWidget(const SettingInfo& s)
{
    auto* row = new QWidget;
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    for (size_t i = 0; i < s.choices.size(); ++i) {
        auto* box = named(new QCheckBox(text(s.choices[i])), text(s.widget + "_" + s.choices[i]));
        if (i < s.choiceHelp.size())
            box->setToolTip(text(s.choiceHelp[i]));
        layout->addWidget(box);
    }
    layout->addStretch();
    return row;
}

} // namespace

SettingsForm::SettingsForm(std::vector<SettingInfo> settings, QObject* parent)
    : QObject(parent), settings_(std::move(settings))
{
}

QWidget* SettingsForm::makeWidget(const SettingInfo& s)
{
    QWidget* w = nullptr;
    switch (s.kind) {
    case SettingKind::Integer:
        w = integerWidget(s);
        break;
    case SettingKind::Real:
        w = realWidget(s);
        break;
    case SettingKind::Text:
    case SettingKind::Choice: {
        auto* combo = new QComboBox;
        for (const std::string& c : s.choices)
            combo->addItem(text(c));
        combo->setEditable(s.kind == SettingKind::Text);
        // An optional text left empty means its default, which the empty field names.
        if (combo->isEditable() && !s.noneText.empty())
            combo->lineEdit()->setPlaceholderText(text(s.noneText));
        w = combo;
        break;
    }
    case SettingKind::Switch:
        w = new QCheckBox(text(s.label));
        break;
    case SettingKind::List:
        w = listWidget(s);
        break;
    }
    w->setObjectName(text(s.widget));
    w->setToolTip(text(s.help));
    for (auto* box : w->findChildren<QCheckBox*>())
        connect(box, &QCheckBox::toggled, this, &SettingsForm::changed);
    if (auto* box = qobject_cast<QCheckBox*>(w))
        connect(box, &QCheckBox::toggled, this, &SettingsForm::changed);
    else if (auto* spin = qobject_cast<QSpinBox*>(w))
        connect(spin, &QSpinBox::valueChanged, this, &SettingsForm::changed);
    else if (auto* real = qobject_cast<QDoubleSpinBox*>(w))
        connect(real, &QDoubleSpinBox::valueChanged, this, &SettingsForm::changed);
    else if (auto* edit = qobject_cast<QLineEdit*>(w))
        connect(edit, &QLineEdit::textChanged, this, &SettingsForm::changed);
    else if (auto* combo = qobject_cast<QComboBox*>(w))
        connect(combo, &QComboBox::currentTextChanged, this, &SettingsForm::changed);
    widgets_[s.key] = w;
    showValue(s, s.defaultValue);
    return w;
}

QWidget* SettingsForm::section(const std::string& group)
{
    auto* content = new QWidget;
    auto* form = new QFormLayout(content);
    form->setContentsMargins(0, 0, 0, 0);
    addRows(form, group);
    return content;
}

void SettingsForm::addRows(QFormLayout* form, const std::string& group)
{
    for (const SettingInfo& s : settings_) {
        if (s.group != group)
            continue;
        QWidget* w = makeWidget(s);
        QLabel* label = nullptr;
        if (s.kind == SettingKind::Switch)
            form->addRow(w);
        else
            form->addRow(label = new QLabel(text(s.label)), w);
        followSwitch(s, w, label);
    }
}

void SettingsForm::addFields(QBoxLayout* row, const std::string& group)
{
    for (const SettingInfo& s : settings_) {
        if (s.group != group)
            continue;
        QWidget* w = makeWidget(s);
        QLabel* label = nullptr;
        if (s.kind != SettingKind::Switch)
            row->addWidget(label = new QLabel(text(s.label + ":")));
        row->addWidget(w);
        followSwitch(s, w, label);
    }
}

void SettingsForm::followSwitch(const SettingInfo& s, QWidget* field, QWidget* label)
{
    const SettingInfo* parent = s.parent.empty() ? nullptr : findSetting(settings_, s.parent);
    auto* on = parent ? qobject_cast<QCheckBox*>(widget(parent->key)) : nullptr;
    if (!on)
        return;
    for (QWidget* part : {field, label})
        if (part) {
            part->setEnabled(on->isChecked());
            connect(on, &QCheckBox::toggled, part, &QWidget::setEnabled);
        }
}

QWidget* SettingsForm::widget(const std::string& key) const
{
    const auto it = widgets_.find(key);
    return it == widgets_.end() ? nullptr : it->second;
}

nlohmann::json SettingsForm::valueOf(const SettingInfo& s) const
{
    QWidget* w = widget(s.key);
    if (auto* spin = qobject_cast<QSpinBox*>(w))
        return spin->value();
    if (auto* real = qobject_cast<QDoubleSpinBox*>(w))
        return !s.noneText.empty() && real->value() == real->minimum() ? nlohmann::json() : nlohmann::json(real->value());
    if (auto* edit = qobject_cast<QLineEdit*>(w))
        return s.kind == SettingKind::Integer ? nlohmann::json(edit->text().toULongLong())
                                              : nlohmann::json(number(edit->text()));
    if (auto* combo = qobject_cast<QComboBox*>(w))
        return !s.noneText.empty() && combo->currentText().trimmed().isEmpty() ? nlohmann::json()
                                                                               : nlohmann::json(combo->currentText().toStdString());
    if (auto* box = qobject_cast<QCheckBox*>(w))
        return box->isChecked() != s.formTurnsOff;
    nlohmann::json names = nlohmann::json::array();
    for (const std::string& c : s.choices)
        if (auto* box = w->findChild<QCheckBox*>(text(s.widget + "_" + c)); box && box->isChecked())
            names.push_back(c);
    return names;
}

bool SettingsForm::switchedOn(const std::string& flag) const
{
    const SettingInfo* s = findSetting(settings_, flag);
    return !s || !widget(s->key) || valueOf(*s) == true;
}

nlohmann::json SettingsForm::values() const
{
    nlohmann::json options = nlohmann::json::object();
    for (const SettingInfo& s : settings_) {
        if (!widget(s.key) || (!s.parent.empty() && !switchedOn(s.parent)))
            continue;
        const nlohmann::json::json_pointer at(s.key);
        const nlohmann::json value = valueOf(s);
        if (!s.holdsChildren)
            options[at] = value;
        else if (value == false)
            options[at] = nullptr;
    }
    return options;
}

void SettingsForm::showValue(const SettingInfo& s, const nlohmann::json& value)
{
    QWidget* w = widget(s.key);
    if (auto* spin = qobject_cast<QSpinBox*>(w))
        spin->setValue(value.get<int>());
    else if (auto* real = qobject_cast<QDoubleSpinBox*>(w))
        real->setValue(value.is_null() ? real->minimum() : value.get<double>());
    else if (auto* edit = qobject_cast<QLineEdit*>(w))
        edit->setText(value.is_number_float() ? QString::number(value.get<double>(), 'g', 6) : text(value.dump()));
    else if (auto* combo = qobject_cast<QComboBox*>(w))
        combo->setCurrentText(value.is_null() ? QString() : text(value.get<std::string>()));
    else if (auto* box = qobject_cast<QCheckBox*>(w))
        box->setChecked(value.get<bool>() != s.formTurnsOff);
    else
        for (const std::string& c : s.choices)
            if (auto* item = w->findChild<QCheckBox*>(text(s.widget + "_" + c)))
                item->setChecked(std::find(value.begin(), value.end(), c) != value.end());
}

void SettingsForm::show(const nlohmann::json& options)
{
    for (const SettingInfo& s : settings_) {
        if (!widget(s.key))
            continue;
        const nlohmann::json::json_pointer at(s.key);
        const bool given = options.is_object() && options.contains(at);
        if (s.holdsChildren)
            showValue(s, given ? nlohmann::json(!options.at(at).is_null()) : s.defaultValue);
        else
            showValue(s, given ? options.at(at) : s.defaultValue);
    }
}

} // namespace sft::ui
