#include "core/tokenizer/bpe_vocabulary.h"

#include "core/tokenizer/byte_alphabet.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

namespace sft {

namespace {

constexpr std::string_view kEndOfTextBytes = "<|endoftext|>";

uint64_t pairKey(int left, int right) { return (uint64_t(uint32_t(left)) << 32) | uint32_t(right); }

// nlohmann's message without its "[json.exception...] " prefix; it names line and column.
std::string jsonReason(const nlohmann::json::exception& e)
{
    const std::string what = e.what();
    const size_t end = what.find("] ");
    return end == std::string::npos ? what : what.substr(end + 2);
}

std::string inQuotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

} // namespace

BpeVocabulary BpeVocabulary::parse(const std::string& vocabJson, const std::string& vocabName,
                                   const std::string& merges, const std::string& mergesName)
{
    BpeVocabulary v;
    v.readVocab(vocabJson, vocabName);
    v.readMerges(merges, mergesName, vocabName);
    v.indexPairs();
    return v;
}

void BpeVocabulary::readVocab(const std::string& json, const std::string& name)
{
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(json);
    } catch (const nlohmann::json::parse_error& e) {
        throw FormatError(name + ": not valid JSON: " + jsonReason(e));
    }
    if (!doc.is_object() || doc.empty())
        throw FormatError(name + ": expected a JSON object mapping each token to its id");
    tokens_.assign(doc.size(), {});
    std::vector<bool> seen(doc.size(), false);
    for (const auto& item : doc.items()) {
        const auto fail = [&](const std::string& why) {
            return FormatError(name + ": token " + inQuotes(item.key()) + ": " + why);
        };
        if (!item.value().is_number_integer())
            throw fail("the id must be an integer");
        const int64_t id = item.value().get<int64_t>();
        if (id < 0 || id >= int64_t(doc.size()))
            throw fail("id " + std::to_string(id) + " is outside 0.." + std::to_string(doc.size() - 1)
                       + "; ids must number the tokens without gaps");
        if (seen[size_t(id)])
            throw fail("id " + std::to_string(id) + " is given to two tokens");
        std::optional<std::string> bytes = unspellBytes(item.key());
        if (!bytes || bytes->empty())
            throw fail("not written in GPT-2's byte alphabet");
        tokens_[size_t(id)] = std::move(*bytes);
        seen[size_t(id)] = true;
    }
}

void BpeVocabulary::findFixedTokens(const IdOfBytes& ids, const std::string& vocabName)
{
    const auto it = ids.find(kEndOfTextBytes);
    if (it == ids.end())
        throw FormatError(vocabName + ": has no <|endoftext|> token, which every GPT-2 vocabulary has");
    endOfText_ = it->second;
    for (int b = 0; b < 256; ++b) {
        const char c = char(b);
        const auto byte = ids.find(std::string_view(&c, 1));
        if (byte == ids.end())
            throw FormatError(vocabName + ": has no token for byte " + std::to_string(b)
                              + "; a byte-level BPE vocabulary needs all 256");
        byteTokens_[size_t(b)] = byte->second;
        mergeable_.insert(*byte);
    }
}

void BpeVocabulary::readMerges(const std::string& text, const std::string& name, const std::string& vocabName)
{
    IdOfBytes ids;
    ids.reserve(tokens_.size());
    mergeable_.reserve(tokens_.size());
    for (size_t id = 0; id < tokens_.size(); ++id)
        ids.emplace(tokens_[id], int(id));
    findFixedTokens(ids, vocabName);
    size_t lineNumber = 0;
    for (size_t begin = 0; begin < text.size();) {
        const size_t end = std::min(text.find('\n', begin), text.size());
        std::string_view line(text.data() + begin, end - begin);
        begin = end + 1;
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty() || (lineNumber == 1 && line.substr(0, 8) == "#version"))
            continue;
        readMerge(line, ids, name + ", line " + std::to_string(lineNumber) + ": ", vocabName);
    }
}

void BpeVocabulary::readMerge(std::string_view line, const IdOfBytes& ids, const std::string& where,
                              const std::string& vocabName)
{
    const size_t space = line.find(' ');
    if (space == 0 || space == std::string_view::npos || space + 1 == line.size()
        || line.find(' ', space + 1) != std::string_view::npos)
        throw FormatError(where + "expected two tokens separated by one space, found " + inQuotes(line));
    int parts[2];
    std::string joined;
    for (const int k : {0, 1}) {
        const std::string_view spelled = k == 0 ? line.substr(0, space) : line.substr(space + 1);
        const std::optional<std::string> bytes = unspellBytes(spelled);
        const auto it = bytes ? ids.find(*bytes) : ids.end();
        if (it == ids.end())
            throw FormatError(where + inQuotes(spelled) + " is not a token of " + vocabName);
        parts[k] = it->second;
        joined += *bytes;
    }
    const auto it = ids.find(joined);
    if (it == ids.end())
        throw FormatError(where + "the joined token " + inQuotes(spellBytes(joined)) + " is not in " + vocabName);
    merges_.emplace_back(parts[0], parts[1]);
    mergeable_.insert(*it);
}

// tiktoken joins any adjacent pair whose bytes together form a merge result, not only the
// pair its merges line names, so every split of a merge result into two mergeable tokens
// is indexed at that result's rank.
void BpeVocabulary::indexPairs()
{
    pairs_.reserve(2 * merges_.size());
    std::string joined;
    for (size_t rank = 0; rank < merges_.size(); ++rank) {
        const auto [left, right] = merges_[rank];
        joined.assign(tokens_[size_t(left)]).append(tokens_[size_t(right)]);
        const int id = mergeableId(joined);
        for (size_t cut = 1; cut < joined.size(); ++cut) {
            const int prefix = mergeableId(std::string_view(joined).substr(0, cut));
            const int suffix = prefix >= 0 ? mergeableId(std::string_view(joined).substr(cut)) : -1;
            if (suffix >= 0)
                pairs_.emplace(pairKey(prefix, suffix), Merge{int(rank), id});
        }
    }
}

int BpeVocabulary::mergeableId(std::string_view bytes) const
{
    const auto it = mergeable_.find(bytes);
    return it == mergeable_.end() ? -1 : it->second;
}

const BpeVocabulary::Merge* BpeVocabulary::merge(int left, int right) const
{
    const auto it = pairs_.find(pairKey(left, right));
    return it == pairs_.end() ? nullptr : &it->second;
}

std::string BpeVocabulary::toVocabJson() const
{
    // Written by hand because nlohmann's ordered_json finds keys by linear search.
    std::string text = "{";
    for (size_t id = 0; id < tokens_.size(); ++id)
        text += (id ? "," : "") + nlohmann::json(spellBytes(tokens_[id])).dump() + ":" + std::to_string(id);
    return text + "}";
}

std::string BpeVocabulary::toMergesText() const
{
    std::string text = "#version: 0.2\n";
    for (const auto& [left, right] : merges_)
        text += spellBytes(tokens_[size_t(left)]) + " " + spellBytes(tokens_[size_t(right)]) + "\n";
    return text;
}

} // namespace sft
