// Encoding the 1,100 formatted chapter entries (the texts of shared/data/tokenizer-oracle).
// Each repetition starts from a freshly loaded tokenizer, so its piece cache starts empty.
// Prints one JSON line; bench/bench_tokenizer.sh runs js-tiktoken beside it.
//   bench_tokenizer TOKENIZER_DIR ORACLE_JSON [REPETITIONS]

#include "core/tokenizer/tokenizer.h"
#include "core/util/files.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_tokenizer TOKENIZER_DIR ORACLE_JSON [REPETITIONS]\n");
        return 2;
    }
    const std::string dir = argv[1];
    const int repetitions = argc > 3 ? std::max(1, std::atoi(argv[3])) : 9;
    std::vector<std::string> texts;
    std::vector<std::vector<int>> expected;
    for (const auto& c : nlohmann::json::parse(sft::readFile(argv[2]))) {
        texts.push_back(c.at("text").get<std::string>());
        expected.push_back(c.at("ids").get<std::vector<int>>());
    }

    std::vector<double> loadSeconds, encodeSeconds;
    size_t tokens = 0;
    for (int r = 0; r < repetitions; ++r) {
        auto start = std::chrono::steady_clock::now();
        const sft::Tokenizer tokenizer = sft::Tokenizer::fromDirectory(dir);
        loadSeconds.push_back(secondsSince(start));
        std::vector<std::vector<int>> ids(texts.size());
        start = std::chrono::steady_clock::now();
        for (size_t i = 0; i < texts.size(); ++i)
            ids[i] = tokenizer.encode(texts[i]);
        encodeSeconds.push_back(secondsSince(start));
        if (ids != expected) {
            std::fprintf(stderr, "bench_tokenizer: the IDs differ from the oracle\n");
            return 1;
        }
        tokens = 0;
        for (const auto& v : ids)
            tokens += v.size();
    }
    const double seconds = median(encodeSeconds);
    std::printf("{\"impl\": \"sft-studio (C++)\", \"texts\": %zu, \"tokens\": %zu, \"repetitions\": %d, "
                "\"median_s\": %.5f, \"texts_per_s\": %.0f, \"tokens_per_s\": %.0f, \"load_s\": %.3f}\n",
                texts.size(), tokens, repetitions, seconds, double(texts.size()) / seconds,
                double(tokens) / seconds, median(loadSeconds));
    return 0;
}
