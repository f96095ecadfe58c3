#pragma once
// The settings of one options struct: each descriptor bound to its place in the struct, plus
// the rules that tie settings together. The struct's JSON (run.json's "options"), its
// validation and its defaults all come from here.

#include "core/settings/setting.h"
#include "core/util/error.h"

#include <cctype>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace sft {

template <class Options>
class SettingTable {
public:
    using Get = std::function<nlohmann::json(const Options&)>;
    using Set = std::function<void(Options&, const nlohmann::json&)>;
    // A rule across settings: why the options break it, or empty.
    using Rule = std::function<std::string(const Options&)>;

    // `what` opens every message: "training setting ...".
    explicit SettingTable(std::string what) : what_(std::move(what)) {}

    void add(SettingInfo info, Get get, Set set)
    {
        info.defaultValue = get(Options{});
        entries_.push_back({std::move(info), std::move(get), std::move(set)});
    }

    // A plain member: a number, bool, std::string or std::optional<double>.
    template <class T>
    void add(SettingInfo info, T Options::*member)
    {
        add(std::move(info), [member](const Options& o) { return toValue(o.*member); },
            [member](Options& o, const nlohmann::json& v) { fromValue(v, o.*member); });
    }

    // A member of a member struct: the sampling options' seed.
    template <class Part, class T>
    void add(SettingInfo info, Part Options::*part, T Part::*member)
    {
        add(std::move(info), [part, member](const Options& o) { return toValue(o.*part.*member); },
            [part, member](Options& o, const nlohmann::json& v) { fromValue(v, o.*part.*member); });
    }

    // Every setting of `inner` as a setting of this table: its key under `prefix`, applying
    // while the Switch `switchFlag` is on, in the form's `group`. `view` reads the inner
    // options (its defaults while the switch is off); `edit` gives them to change.
    template <class Inner>
    void nest(const SettingTable<Inner>& inner, const std::string& prefix, const std::string& switchFlag,
              const std::string& group, std::function<Inner(const Options&)> view,
              std::function<Inner&(Options&)> edit)
    {
        for (const auto& e : inner.entries()) {
            SettingInfo info = e.info;
            info.key = prefix + info.key;
            info.parent = switchFlag;
            info.group = group;
            add(std::move(info), [get = e.get, view](const Options& o) { return get(view(o)); },
                [set = e.set, edit](Options& o, const nlohmann::json& v) { set(edit(o), v); });
        }
    }

    void rule(Rule r) { rules_.push_back(std::move(r)); }

    std::vector<SettingInfo> infos() const
    {
        std::vector<SettingInfo> all;
        for (const Entry& e : entries_)
            all.push_back(e.info);
        return all;
    }

    nlohmann::json toJson(const Options& o) const
    {
        nlohmann::json j = nlohmann::json::object();
        for (const Entry& e : entries_) {
            if (!applies(e.info, o))
                continue;
            const nlohmann::json value = e.get(o);
            if (e.info.holdsChildren && value == true)
                continue; // its children fill it
            j[nlohmann::json::json_pointer(e.info.key)] = e.info.holdsChildren ? nlohmann::json() : value;
        }
        return j;
    }

    // What `j` holds, over the defaults, without validation (a form still being filled in).
    // ConfigError when a value has the wrong type.
    Options read(const nlohmann::json& j) const
    {
        Options o;
        for (const Entry& e : entries_) {
            if (!applies(e.info, o))
                continue;
            const nlohmann::json::json_pointer at(e.info.key);
            if (!j.is_object() || !j.contains(at))
                continue;
            nlohmann::json value = j.at(at);
            if (e.info.holdsChildren)
                value = !value.is_null();
            const std::string problem = settingTypeProblem(e.info, value);
            if (!problem.empty())
                throw ConfigError(subject(e.info) + problem);
            e.set(o, value);
        }
        return o;
    }

    Options fromJson(const nlohmann::json& j) const
    {
        Options o = read(j);
        validate(o);
        return o;
    }

    // ConfigError naming the first setting out of range, or the first rule broken.
    void validate(const Options& o) const
    {
        for (const Entry& e : entries_) {
            if (!applies(e.info, o))
                continue;
            const std::string problem = checkSettingValue(e.info, e.get(o));
            if (!problem.empty())
                throw ConfigError(subject(e.info) + problem);
        }
        for (const Rule& r : rules_)
            if (const std::string problem = r(o); !problem.empty())
                throw ConfigError(what_ + " settings: " + problem);
    }

    struct Entry {
        SettingInfo info;
        Get get;
        Set set;
    };
    const std::vector<Entry>& entries() const { return entries_; }

private:

    // A setting inside the object of a Switch that is off (LoRA's rank while LoRA is off)
    // neither counts nor is written; one beside it (lora_merged) is, and rules tie the two.
    bool applies(const SettingInfo& info, const Options& o) const
    {
        if (info.parent.empty())
            return true;
        for (const Entry& e : entries_)
            if (e.info.flag == info.parent && e.info.holdsChildren && info.key.rfind(e.info.key + "/", 0) == 0)
                return e.get(o) == true;
        return true;
    }

    std::string subject(const SettingInfo& info) const
    {
        std::string label = info.label;
        if (label.size() > 1 && std::isupper(static_cast<unsigned char>(label[0])) &&
            std::islower(static_cast<unsigned char>(label[1])))
            label[0] = char(std::tolower(static_cast<unsigned char>(label[0])));
        return what_ + " setting '" + label + "' (" + info.name() + ", --" + info.flag + ") ";
    }

    template <class T>
    static nlohmann::json toValue(const std::optional<T>& v)
    {
        return v ? nlohmann::json(*v) : nlohmann::json();
    }
    template <class T>
    static nlohmann::json toValue(const T& v)
    {
        return nlohmann::json(v);
    }
    template <class T>
    static void fromValue(const nlohmann::json& v, std::optional<T>& out)
    {
        out = v.is_null() ? std::nullopt : std::optional<T>(v.get<T>());
    }
    template <class T>
    static void fromValue(const nlohmann::json& v, T& out)
    {
        out = v.get<T>();
    }

    std::string what_;
    std::vector<Entry> entries_;
    std::vector<Rule> rules_;
};

} // namespace sft
