#pragma once
// Data compiled into the program, so that it is there with no download, no network and no
// install step: OpenAI's GPT-2 tokenizer files and the chapter-7 dataset, unchanged copies of
// the published files (resources/, their notices beside them).

#include <string_view>

namespace sft {

enum class BundledData {
    Gpt2Encoder,    // encoder.json: 50,257 tokens
    Gpt2Merges,     // vocab.bpe: 50,000 merges
    ChapterDataset, // instruction-data.json: 1,100 entries
};

std::string_view bundledData(BundledData which);

// The published chapter-7 file's sha256, which the bundled copy has.
inline constexpr std::string_view kChapterDatasetSha256 =
    "7e09a9af353722ca15c18bc580f093f9c39d3178335a75177319cb1e1d163944";

} // namespace sft
