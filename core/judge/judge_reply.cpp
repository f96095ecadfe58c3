#include "core/judge/judge_reply.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>
#include <vector>

namespace sft {

namespace {

std::string trim(const std::string& s)
{
    const size_t begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return {};
    return s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1);
}

// Models often wrap JSON in a Markdown fence (```json ... ```) even when told not to.
std::string unfence(const std::string& reply)
{
    std::string t = trim(reply);
    if (t.rfind("```", 0) != 0)
        return t;
    const size_t firstLineEnd = t.find('\n');
    if (firstLineEnd == std::string::npos)
        return t;
    t = t.substr(firstLineEnd + 1);
    const size_t fence = t.rfind("```");
    return trim(fence == std::string::npos ? t : t.substr(0, fence));
}

std::string formatNumber(double v)
{
    if (!std::isfinite(v))
        return "(a number too long to read)";
    std::string s = nlohmann::json(v).dump();
    if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0)
        s.resize(s.size() - 2);
    return s;
}

// Digits beyond a double's range read as infinity, which checkedScore refuses; std::stod would
// throw std::out_of_range out of readScore instead.
double readNumber(const std::string& digits) { return std::strtod(digits.c_str(), nullptr); }

ScoreReading checkedScore(double value, std::string reason = {})
{
    if (!std::isfinite(value))
        return {std::nullopt, std::move(reason), "the score is a number too long to read"};
    if (value != std::floor(value))
        return {std::nullopt, std::move(reason), "score " + formatNumber(value) + " is not a whole number"};
    if (value < 0 || value > 100)
        return {std::nullopt, std::move(reason), "score " + formatNumber(value) + " is outside 0..100"};
    return {int(value), std::move(reason), {}};
}

// std::regex matches a repetition by recursing once per character, so a run of some ten thousand
// digits or spaces overflows the stack (some 30 000 on 8 MB). No score or verdict is written so.
constexpr size_t kLongestRun = 4096;

bool hasOverlongRun(const std::string& text)
{
    size_t digits = 0, spaces = 0;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        digits = std::isdigit(u) ? digits + 1 : 0;
        spaces = std::isspace(u) ? spaces + 1 : 0;
        if (digits > kLongestRun || spaces > kLongestRun)
            return true;
    }
    return false;
}

const std::string kOverlongRun = "a run of more than " + std::to_string(kLongestRun) + " digits or spaces in the reply";

// Numbers that stand alone: not part of a word ("GPT2") or a version ("3.5.1"); a full stop
// after a number ends the sentence.
std::vector<double> standaloneNumbers(const std::string& text)
{
    static const std::regex number(R"((^|[^\w.])(-?\d+(\.\d+)?)(?!\w|\.\d))");
    std::vector<double> found;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), number); it != std::sregex_iterator(); ++it)
        found.push_back(readNumber((*it)[2].str()));
    return found;
}

ScoreReading scoreFromText(const std::string& text)
{
    static const std::regex keyed(R"re("?score"?\s*[:=]\s*(-?\d+(\.\d+)?))re", std::regex::icase);
    // The number must not start inside a run of digits: tried from every digit of a long run, the
    // search read to the run's end each time (quadratic: 10 s for a run of 8000 digits).
    static const std::regex outOf100(R"((^|[^\d-])(-?\d+(\.\d+)?)\s*(/\s*100|out of 100)(?!\w|\.\d))",
                                     std::regex::icase);
    static const std::regex scale(R"(\b0\s*(to|-)\s*100\b)", std::regex::icase);
    std::smatch m;
    if (std::regex_search(text, m, keyed))
        return checkedScore(readNumber(m[1].str()));
    if (std::regex_search(text, m, outOf100))
        return checkedScore(readNumber(m[2].str()));
    const std::vector<double> numbers = standaloneNumbers(std::regex_replace(text, scale, " "));
    const std::set<double> distinct(numbers.begin(), numbers.end());
    if (distinct.empty())
        return {std::nullopt, {}, "no number in the reply"};
    if (distinct.size() > 1)
        return {std::nullopt, {}, "conflicting numbers in the reply (" + formatNumber(*distinct.begin()) +
                                      " and " + formatNumber(*distinct.rbegin()) + ")"};
    return checkedScore(*distinct.begin());
}

ScoreReading scoreFromJson(const nlohmann::json& reply)
{
    if (reply.is_number())
        return checkedScore(reply.get<double>());
    const std::string reason = reply.contains("reason") && reply["reason"].is_string() ? reply["reason"].get<std::string>()
                                                                                      : std::string();
    if (!reply.contains("score"))
        return {std::nullopt, reason, "the JSON reply has no \"score\""};
    if (!reply["score"].is_number())
        return {std::nullopt, reason, "\"score\" in the JSON reply is not a number"};
    return checkedScore(reply["score"].get<double>(), reason);
}

std::optional<Verdict> verdictFromWord(std::string word)
{
    word = trim(word);
    for (char& c : word)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    if (word == "1" || word == "answer 1")
        return Verdict::First;
    if (word == "2" || word == "answer 2")
        return Verdict::Second;
    if (word == "tie" || word == "equal" || word == "both")
        return Verdict::Tie;
    return std::nullopt;
}

VerdictReading verdictFromText(const std::string& text)
{
    if (const auto whole = verdictFromWord(text))
        return {whole, {}};
    static const std::regex mention(R"re(\b(answer\s*([12])|tie)\b)re", std::regex::icase);
    std::set<Verdict> named;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), mention); it != std::sregex_iterator(); ++it)
        named.insert((*it)[2].matched ? ((*it)[2] == "1" ? Verdict::First : Verdict::Second) : Verdict::Tie);
    if (named.size() == 1)
        return {*named.begin(), {}};
    return {std::nullopt, named.empty() ? "no verdict (\"1\", \"2\" or \"tie\") in the reply"
                                        : "the reply names more than one verdict"};
}

} // namespace

ScoreReading readScore(const std::string& reply)
{
    const std::string text = unfence(reply);
    if (text.empty())
        return {std::nullopt, {}, "empty reply"};
    const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_number() || parsed.is_object())
        return scoreFromJson(parsed);
    if (hasOverlongRun(text))
        return {std::nullopt, {}, kOverlongRun};
    return scoreFromText(text);
}

VerdictReading readVerdict(const std::string& reply)
{
    const std::string text = unfence(reply);
    if (text.empty())
        return {std::nullopt, "empty reply"};
    const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_object()) {
        if (!parsed.contains("verdict"))
            return {std::nullopt, "the JSON reply has no \"verdict\""};
        const nlohmann::json& v = parsed["verdict"];
        const auto verdict = verdictFromWord(v.is_string() ? v.get<std::string>() : v.dump());
        if (!verdict)
            return {std::nullopt, "\"verdict\" is " + v.dump() + ", not \"1\", \"2\" or \"tie\""};
        return {verdict, {}};
    }
    if (hasOverlongRun(text))
        return {std::nullopt, kOverlongRun};
    return verdictFromText(text);
}

} // namespace sft
