#pragma once
// The tables behind GPT-2's byte-level BPE: the bytes of every token, and which pairs of
// adjacent tokens join into which token at which rank.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sft {

class BpeVocabulary {
public:
    struct Merge {
        int rank; // lower joins first
        int id;   // the joined token
    };

    BpeVocabulary() = default;
    // The lookup tables view the bytes in tokens_: a move keeps them valid (the strings stay
    // where they are), a copy would not.
    BpeVocabulary(BpeVocabulary&&) = default;
    BpeVocabulary& operator=(BpeVocabulary&&) = default;
    BpeVocabulary(const BpeVocabulary&) = delete;
    BpeVocabulary& operator=(const BpeVocabulary&) = delete;

    // vocabJson: the text of encoder.json / vocab.json; merges: of vocab.bpe / merges.txt.
    // The names are the files' paths, for FormatError messages.
    static BpeVocabulary parse(const std::string& vocabJson, const std::string& vocabName,
                               const std::string& merges, const std::string& mergesName);
    std::string toVocabJson() const;  // Hugging Face's vocab.json, ids in order
    std::string toMergesText() const; // Hugging Face's merges.txt, ranks in order

    int size() const { return int(tokens_.size()); }
    const std::string& bytesOf(int id) const { return tokens_[size_t(id)]; }
    int endOfText() const { return endOfText_; }
    int byteToken(unsigned char byte) const { return byteTokens_[byte]; }
    // The token BPE would produce for exactly these bytes, or -1.
    int mergeableId(std::string_view bytes) const;
    // What joining left and right gives, or nullptr when they do not join.
    const Merge* merge(int left, int right) const;

private:
    // Keyed by views of tokens_, so that looking a piece up allocates nothing.
    using IdOfBytes = std::unordered_map<std::string_view, int>;
    void readVocab(const std::string& json, const std::string& name);
    void findFixedTokens(const IdOfBytes& ids, const std::string& vocabName); // <|endoftext|>, bytes
    void readMerges(const std::string& text, const std::string& name, const std::string& vocabName);
    void readMerge(std::string_view line, const IdOfBytes& ids, const std::string& where, const std::string& vocabName);
    void indexPairs();

    std::vector<std::string> tokens_;                 // id -> bytes
    IdOfBytes mergeable_;                             // single bytes and merge results only
    std::array<int, 256> byteTokens_{};
    std::vector<std::pair<int, int>> merges_;         // as listed, in rank order
    std::unordered_map<uint64_t, Merge> pairs_;       // (left, right) -> merge
    int endOfText_ = -1;
};

} // namespace sft
