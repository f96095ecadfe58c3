#include "core/tokenizer/tokenizer.h"

#include "core/tokenizer/bpe_vocabulary.h"
#include "core/tokenizer/pretokenizer.h"
#include "core/util/bundled_data.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <queue>
#include <unordered_map>

namespace sft {

namespace {

constexpr std::string_view kEndOfTextText = "<|endoftext|>";
// Bounds the memory a long run over varied text can take; refilling is cheap.
constexpr size_t kMaxCachedPieces = 100000;
// Longer pieces are rare and would make the cache hold megabytes for one text.
constexpr size_t kMaxCachedPieceBytes = 256;
// Ends the linked list of a piece's symbols.
constexpr uint32_t kNoSymbol = std::numeric_limits<uint32_t>::max();

struct FilePair {
    const char* vocab;
    const char* merges;
};
constexpr FilePair kOpenAiFiles{"encoder.json", "vocab.bpe"};
constexpr FilePair kHuggingFaceFiles{"vocab.json", "merges.txt"};

bool hasFiles(const std::string& dir, const FilePair& files)
{
    return fileExists(dir + "/" + files.vocab) && fileExists(dir + "/" + files.merges);
}

} // namespace

struct Tokenizer::Impl {
    explicit Impl(BpeVocabulary v) : vocab(std::move(v)) {}

    void encodeOrdinary(std::string_view text, std::vector<int>& out) const;
    void encodePiece(std::string_view piece, std::vector<int>& out) const;
    std::vector<int> mergePiece(std::string_view piece) const;

    const BpeVocabulary vocab;
    // encode() is const and may run on several threads that share one tokenizer.
    mutable std::mutex cacheMutex;
    mutable std::unordered_map<std::string, std::vector<int>> cache; // piece bytes -> ids
};

// Most pieces are a token of their own; looking them up first skips the cache and its lock.
void Tokenizer::Impl::encodeOrdinary(std::string_view text, std::vector<int>& out) const
{
    for (const std::string_view piece : splitPieces(text)) {
        if (const int id = vocab.mergeableId(piece); id >= 0)
            out.push_back(id);
        else
            encodePiece(piece, out);
    }
}

void Tokenizer::Impl::encodePiece(std::string_view piece, std::vector<int>& out) const
{
    if (piece.size() > kMaxCachedPieceBytes) {
        const std::vector<int> ids = mergePiece(piece);
        out.insert(out.end(), ids.begin(), ids.end());
        return;
    }
    const std::string key(piece);
    {
        const std::lock_guard<std::mutex> lock(cacheMutex);
        if (const auto it = cache.find(key); it != cache.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::vector<int> ids = mergePiece(piece);
    out.insert(out.end(), ids.begin(), ids.end());
    const std::lock_guard<std::mutex> lock(cacheMutex);
    if (cache.size() >= kMaxCachedPieces)
        cache.clear();
    cache.emplace(key, std::move(ids));
}

// tiktoken's rule: join the adjacent pair whose joined token ranks lowest (the leftmost of
// equals) until no adjacent pair joins into a token. The pairs wait in a heap ordered by
// (rank, position) and the tokens form a linked list, so that a piece of n bytes takes
// O(n log n); a scan for the lowest pair after every join was quadratic (1 s for a 40 kB
// word, weeks for 50 MB).
// A heap entry whose pair has changed since is skipped when it comes up.
std::vector<int> Tokenizer::Impl::mergePiece(std::string_view piece) const
{
    if (piece.size() >= kNoSymbol)
        throw Error("a piece of " + std::to_string(piece.size()) + " bytes without a break is too long to encode");
    struct Symbol {
        int id; // -1 once joined into the symbol before it
        uint32_t prev, next;
    };
    struct Join {
        int rank;
        uint32_t left;
        bool operator>(const Join& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
    };
    const auto n = uint32_t(piece.size());
    std::vector<Symbol> symbols(n);
    for (uint32_t i = 0; i < n; ++i)
        symbols[i] = {vocab.byteToken(static_cast<unsigned char>(piece[i])), i ? i - 1 : kNoSymbol,
                      i + 1 < n ? i + 1 : kNoSymbol};
    const auto mergeAfter = [&](uint32_t left) -> const BpeVocabulary::Merge* {
        const uint32_t right = symbols[left].next;
        return right == kNoSymbol ? nullptr : vocab.merge(symbols[left].id, symbols[right].id);
    };
    std::vector<Join> firstJoins;
    for (uint32_t i = 0; i < n; ++i)
        if (const BpeVocabulary::Merge* m = mergeAfter(i))
            firstJoins.push_back({m->rank, i});
    std::priority_queue<Join, std::vector<Join>, std::greater<>> joins(std::greater<>(), std::move(firstJoins));
    const auto offer = [&](uint32_t left) {
        if (const BpeVocabulary::Merge* m = mergeAfter(left))
            joins.push({m->rank, left});
    };
    while (!joins.empty()) {
        const Join join = joins.top();
        joins.pop();
        Symbol& left = symbols[join.left];
        const BpeVocabulary::Merge* m = left.id < 0 ? nullptr : mergeAfter(join.left);
        if (!m || m->rank != join.rank)
            continue;
        Symbol& right = symbols[left.next];
        left.id = m->id;
        right.id = -1;
        left.next = right.next;
        if (left.next != kNoSymbol)
            symbols[left.next].prev = join.left;
        if (left.prev != kNoSymbol)
            offer(left.prev);
        offer(join.left);
    }
    std::vector<int> ids;
    for (uint32_t i = 0; i != kNoSymbol && n; i = symbols[i].next)
        ids.push_back(symbols[i].id);
    return ids;
}

Tokenizer Tokenizer::fromDirectory(const std::string& dir)
{
    for (const FilePair& files : {kOpenAiFiles, kHuggingFaceFiles})
        if (hasFiles(dir, files))
            return fromFiles(dir + "/" + files.vocab, dir + "/" + files.merges);
    throw FormatError("no GPT-2 tokenizer in " + dir + ": looked for " + kOpenAiFiles.vocab + " + "
                      + kOpenAiFiles.merges + " (OpenAI) and " + kHuggingFaceFiles.vocab + " + "
                      + kHuggingFaceFiles.merges + " (Hugging Face); copy " + kOpenAiFiles.vocab + " and "
                      + kOpenAiFiles.merges + " from a GPT-2 download into it, or choose a folder that has "
                      + "them (--tokenizer DIR on the command line)");
}

bool Tokenizer::directoryHasTokenizer(const std::string& dir)
{
    return hasFiles(dir, kOpenAiFiles) || hasFiles(dir, kHuggingFaceFiles);
}

Tokenizer Tokenizer::fromFiles(const std::string& vocabJson, const std::string& merges)
{
    Tokenizer t;
    t.impl_ = std::make_shared<const Impl>(
        BpeVocabulary::parse(readFile(vocabJson), vocabJson, readFile(merges), merges));
    return t;
}

Tokenizer Tokenizer::bundledGpt2()
{
    static const Tokenizer bundled = [] {
        Tokenizer t;
        t.impl_ = std::make_shared<const Impl>(
            BpeVocabulary::parse(std::string(bundledData(BundledData::Gpt2Encoder)), "encoder.json (bundled)",
                                 std::string(bundledData(BundledData::Gpt2Merges)), "vocab.bpe (bundled)"));
        return t;
    }();
    return bundled;
}

std::vector<int> Tokenizer::encode(std::string_view text, bool allowSpecial) const
{
    const Impl& d = impl();
    std::vector<int> ids;
    ids.reserve(text.size() / 3);
    if (allowSpecial) {
        for (size_t at = text.find(kEndOfTextText); at != std::string_view::npos; at = text.find(kEndOfTextText)) {
            d.encodeOrdinary(text.substr(0, at), ids);
            ids.push_back(d.vocab.endOfText());
            text.remove_prefix(at + kEndOfTextText.size());
        }
    }
    d.encodeOrdinary(text, ids);
    return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const
{
    std::string text;
    for (const int id : ids)
        text += tokenBytes(id);
    return text;
}

std::string Tokenizer::tokenBytes(int id) const
{
    const Impl& d = impl();
    if (id < 0 || id >= d.vocab.size())
        throw Error("token id " + std::to_string(id) + " is not in the vocabulary (0.."
                    + std::to_string(d.vocab.size() - 1) + ")");
    return d.vocab.bytesOf(id);
}

int Tokenizer::vocabSize() const { return impl().vocab.size(); }

void Tokenizer::save(const std::string& dir) const
{
    const Impl& d = impl();
    makeDirectories(dir);
    writeFileAtomic(dir + "/" + kHuggingFaceFiles.vocab, d.vocab.toVocabJson());
    writeFileAtomic(dir + "/" + kHuggingFaceFiles.merges, d.vocab.toMergesText());
}

const Tokenizer::Impl& Tokenizer::impl() const
{
    if (!impl_)
        throw Error("the tokenizer is used before it was loaded (Tokenizer::fromDirectory or fromFiles)");
    return *impl_;
}

} // namespace sft
