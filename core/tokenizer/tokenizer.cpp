#include "core/tokenizer/tokenizer.h"

#include "core/tokenizer/bpe_vocabulary.h"
#include "core/tokenizer/pretokenizer.h"
#include "core/util/error.h"
#include "core/util/files.h"

#include <algorithm>
#include <limits>
#include <mutex>
#include <unordered_map>

namespace sft {

namespace {

constexpr std::string_view kEndOfTextText = "<|endoftext|>";
// Bounds the memory a long run over varied text can take; refilling is cheap.
constexpr size_t kMaxCachedPieces = 100000;

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
// equals) until no adjacent pair joins into a token.
std::vector<int> Tokenizer::Impl::mergePiece(std::string_view piece) const
{
    using Merge = BpeVocabulary::Merge;
    constexpr Merge kNoMerge{std::numeric_limits<int>::max(), -1};
    std::vector<int> ids;
    ids.reserve(piece.size());
    for (const char c : piece)
        ids.push_back(vocab.byteToken(static_cast<unsigned char>(c)));
    const auto mergeAt = [&](size_t i) {
        const Merge* m = vocab.merge(ids[i], ids[i + 1]);
        return m ? *m : kNoMerge;
    };
    std::vector<Merge> merges; // merges[i] joins ids[i] and ids[i + 1]
    for (size_t i = 0; i + 1 < ids.size(); ++i)
        merges.push_back(mergeAt(i));
    while (!merges.empty()) {
        const auto best = std::min_element(merges.begin(), merges.end(),
                                           [](const Merge& a, const Merge& b) { return a.rank < b.rank; });
        if (best->id < 0)
            break;
        const size_t i = size_t(best - merges.begin());
        ids[i] = best->id;
        ids.erase(ids.begin() + std::ptrdiff_t(i) + 1);
        merges.erase(best);
        if (i > 0)
            merges[i - 1] = mergeAt(i - 1);
        if (i < merges.size())
            merges[i] = mergeAt(i);
    }
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
