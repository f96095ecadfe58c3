// GPT-2's tokenizer on any bytes, valid UTF-8 or not: byte-level BPE gives every byte a token and
// every merge joins two tokens' bytes, so decode(encode(bytes)) must be the bytes again, with
// "<|endoftext|>" read as text or as the special token. Nothing here may throw.
// The tokenizer files: $SFT_TOKENIZER_DIR, or the shared data's GPT-2 tokenizer.

#include "core/tokenizer/tokenizer.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

const sft::Tokenizer& tokenizer()
{
    static const sft::Tokenizer loaded = [] {
        const char* dir = std::getenv("SFT_TOKENIZER_DIR");
        return sft::Tokenizer::fromDirectory(dir && *dir ? dir : SFT_TOKENIZER_DIR);
    }();
    return loaded;
}

void checkRoundTrip(const std::string& bytes, bool allowSpecial)
{
    const sft::Tokenizer& t = tokenizer();
    const std::vector<int> ids = t.encode(bytes, allowSpecial);
    for (const int id : ids)
        sft::fuzz::check(id >= 0 && id < t.vocabSize(), "every id is in the vocabulary");
    sft::fuzz::check(t.decode(ids) == bytes, "decode(encode(bytes)) == bytes");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    checkRoundTrip(bytes, false);
    checkRoundTrip(bytes, true);
    return 0;
}
