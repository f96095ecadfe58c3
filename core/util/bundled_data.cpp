#include "core/util/bundled_data.h"

// The assembler copies each file's bytes into the read-only data of this object file: no
// generated source, no build step, and the file's bytes are exactly what git holds.
#define SFT_BUNDLE(symbol, file)                                                                                   \
    __asm__(".pushsection .rodata, \"a\"\n"                                                                        \
            ".global " #symbol "_begin\n" #symbol "_begin:\n"                                                      \
            ".incbin \"" SFT_RESOURCES_DIR "/" file "\"\n"                                                         \
            ".global " #symbol "_end\n" #symbol "_end:\n"                                                          \
            ".popsection\n");                                                                                      \
    extern "C" const char symbol##_begin[];                                                                        \
    extern "C" const char symbol##_end[];

SFT_BUNDLE(sft_gpt2_encoder, "gpt2-tokenizer/encoder.json")
SFT_BUNDLE(sft_gpt2_merges, "gpt2-tokenizer/vocab.bpe")
SFT_BUNDLE(sft_chapter_dataset, "chapter-7/instruction-data.json")

namespace sft {

namespace {

std::string_view between(const char* begin, const char* end) { return {begin, size_t(end - begin)}; }

} // namespace

std::string_view bundledData(BundledData which)
{
    switch (which) {
    case BundledData::Gpt2Encoder:
        return between(sft_gpt2_encoder_begin, sft_gpt2_encoder_end);
    case BundledData::Gpt2Merges:
        return between(sft_gpt2_merges_begin, sft_gpt2_merges_end);
    case BundledData::ChapterDataset:
        return between(sft_chapter_dataset_begin, sft_chapter_dataset_end);
    }
    return {};
}

} // namespace sft
