#pragma once
// GPT-2 byte-level BPE, identical to tiktoken's `gpt2` encoding.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sft {

class Tokenizer {
public:
    static constexpr int kEndOfText = 50256;

    // A folder holding OpenAI's encoder.json + vocab.bpe or Hugging Face's vocab.json + merges.txt.
    // Throws FormatError naming what was looked for when neither pair is there.
    static Tokenizer fromDirectory(const std::string& dir);
    static bool directoryHasTokenizer(const std::string& dir);
    // vocabJson: encoder.json or vocab.json (same format); merges: vocab.bpe or merges.txt.
    static Tokenizer fromFiles(const std::string& vocabJson, const std::string& merges);
    // OpenAI's GPT-2 files as compiled into SFT Studio: the tokenizer of every GPT-2 size,
    // there without a download.
    static Tokenizer bundledGpt2();

    // allowSpecial: "<|endoftext|>" in the text becomes 50256; otherwise it is ordinary text.
    std::vector<int> encode(std::string_view text, bool allowSpecial = false) const;
    std::string decode(const std::vector<int>& ids) const;
    // The raw bytes of one token (may be an incomplete UTF-8 sequence).
    std::string tokenBytes(int id) const;
    int vocabSize() const;

    // Writes vocab.json + merges.txt (Hugging Face names) into dir.
    void save(const std::string& dir) const;

private:
    struct Impl;
    const Impl& impl() const; // throws Error on a default-constructed Tokenizer
    std::shared_ptr<const Impl> impl_;
};

} // namespace sft
