#pragma once
// A setting's descriptor: everything about one setting except where it lives in its options
// struct. A table of these (SettingTable) is the single definition from which run.json I/O,
// validation, the command line's flags and --help (so the man page) and the app's form rows
// are all made: adding a setting is one entry in one table.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sft {

enum class SettingKind {
    Integer, // a whole number in [min, max]
    Real,    // a number in [min, max] (either end exclusive)
    Text,    // free text; `choices` are suggestions (a template name, or a file)
    Choice,  // one of `choices`
    Switch,  // on or off
    List,    // a non-empty subset of `choices`
};

struct SettingInfo {
    std::string key;    // JSON pointer into the options object of run.json: "/batch_size", "/betas/0"
    std::string flag;   // command-line flag without its dashes: "batch-size"
    std::string widget; // the form's object name (default: the key's last part in camelCase)
    std::string label;  // the form's row label; a Switch's check box text
    std::string help;   // --help text and the form's tooltip
    std::string group;  // the form's section: "" (the chapter's settings), "Advanced", "LoRA"
    SettingKind kind = SettingKind::Integer;
    double min = 0, max = 0;
    bool minExclusive = false, maxExclusive = false;
    std::vector<std::string> choices;    // Choice, List; suggestions for Text
    std::vector<std::string> choiceHelp; // tooltips, one per choice
    std::string valueName;  // the command line's placeholder: "N"
    std::string unit;       // the form's suffix: " steps"
    std::string noneText;   // an optional setting: what no value (null) means; empty: always set
    std::string minText;    // what the minimum means, shown in the form: "no clipping"
    std::string parent;     // flag of the Switch that must be on for this setting to apply
    bool flagTurnsOff = false;  // Switch on by default, whose flag turns it off: --no-shuffle
    bool formTurnsOff = false;  // Switch shown as a check box that turns it off
    bool holdsChildren = false; // Switch whose JSON is null when off, an object of its children when on
    bool scientific = false;    // Real typed as text (5e-5) instead of in a spin box
    int decimals = 3;           // Real in a spin box
    nlohmann::json defaultValue; // what a default-constructed options struct holds (set by the table)

    // Fluent setters, so that a table entry reads as one statement.
    SettingInfo& range(double low, double high);
    SettingInfo& exclusive(bool low, bool high);
    SettingInfo& oneOf(std::vector<std::string> names, std::vector<std::string> tips = {});
    SettingInfo& placeholder(std::string name);
    SettingInfo& suffix(std::string text);
    SettingInfo& optional(std::string meaningOfNone);
    SettingInfo& atMinimum(std::string meaning);
    SettingInfo& under(std::string switchFlag);
    SettingInfo& inGroup(std::string name);
    SettingInfo& named(std::string objectName);
    SettingInfo& turnedOffByFlag();
    SettingInfo& turnedOffByCheckBox();
    SettingInfo& holdingChildren();
    SettingInfo& typedAsText();
    SettingInfo& withDecimals(int n);

    std::string name() const; // the key without its slashes: "batch_size", "betas.0"
    std::string rangeText() const; // "from 1 to 4096", "in (0, 1)", "one of constant, cosine, linear"
};

// The settings among `all` whose flags are named, in the table's order: a command that takes
// only some of a table's settings.
std::vector<SettingInfo> settingsWithFlags(const std::vector<SettingInfo>& all, const std::vector<std::string>& flags);

// The setting with this flag among `settings` (a switch that others sit under), or null.
const SettingInfo* findSetting(const std::vector<SettingInfo>& settings, const std::string& flag);

SettingInfo setting(SettingKind kind, std::string key, std::string flag, std::string label, std::string help);

// Why `value` cannot be a value of `s` at all ("must be a whole number, not text"), or empty.
std::string settingTypeProblem(const SettingInfo& s, const nlohmann::json& value);
// Why `value` is not a value of `s` ("must be from 1 to 4096"), or empty when it is one.
std::string checkSettingValue(const SettingInfo& s, const nlohmann::json& value);
// A number as a person would type it: 5e-05, 0.1, 4096.
std::string settingNumberText(double value);

} // namespace sft
