// The near-duplicate search at Alpaca's size: 50,000 synthetic entries shaped like Alpaca's
// (short instructions, an input on 40% of them, answers of a few words to a few paragraphs), of
// which every 50th rewrites an earlier one with a few words changed. Times the output field and
// all three fields at the default threshold 0.9 and reports how far each search raises the
// process's peak resident memory above what it held before. The reference is the book's script: scikit-learn's dense
// cosine_similarity needs 8 * N^2 bytes, 20 GB at this size, and so cannot run here at all.

#include "core/data/near_duplicates.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

// splitmix64: the same entries on every machine and library.
class Random {
public:
    uint64_t next()
    {
        uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double unit() { return double(next() >> 11) * 0x1.0p-53; }
    size_t below(size_t n) { return size_t(unit() * double(n)); }

private:
    uint64_t state_ = 20240607;
};

// Made-up words of one to three syllables, consonant and vowel each, sometimes closed.
std::vector<std::string> makeWords(Random& random, size_t count)
{
    const std::string consonants = "bcdfghjklmnprstvwxz", vowels = "aeiouy";
    std::vector<std::string> words;
    for (size_t w = 0; w < count; ++w) {
        std::string word;
        for (size_t s = 0, n = 1 + random.below(3); s < n; ++s) {
            word += consonants[random.below(consonants.size())];
            word += vowels[random.below(vowels.size())];
            if (random.below(3) == 0)
                word += consonants[random.below(consonants.size())];
        }
        words.push_back(word);
    }
    return words;
}

// Words drawn with a skewed frequency, as in English text: a few very common, a long tail.
std::string sentence(Random& random, const std::vector<std::string>& words, size_t length, const char* end)
{
    std::string text;
    for (size_t i = 0; i < length; ++i) {
        std::string word = words[size_t(double(words.size()) * std::pow(random.unit(), 3.0))];
        if (i == 0)
            word[0] = char(word[0] - 'a' + 'A');
        text += (i ? " " : "") + word;
        if (i + 1 < length && random.below(12) == 0)
            text += ",";
    }
    return text + end;
}

std::string paragraph(Random& random, const std::vector<std::string>& words, size_t length)
{
    std::string text;
    while (length > 0) {
        const size_t part = std::min(length, 5 + random.below(15));
        text += (text.empty() ? "" : " ") + sentence(random, words, part, ".");
        length -= part;
    }
    return text;
}

std::string withChangedWords(Random& random, const std::vector<std::string>& words, std::string text)
{
    for (int change = 0; change < 2 && !text.empty(); ++change) {
        const size_t at = text.find(' ', random.below(text.size()));
        if (at == std::string::npos)
            continue;
        const size_t wordEnd = std::min(text.find_first_of(" ,.", at + 1), text.size());
        text.replace(at + 1, wordEnd - at - 1, words[random.below(words.size())]);
    }
    return text;
}

std::vector<sft::Entry> alpacaLike(size_t count)
{
    Random random;
    const std::vector<std::string> words = makeWords(random, 6000);
    std::vector<sft::Entry> entries(count);
    for (size_t e = 0; e < count; ++e) {
        sft::Entry& entry = entries[e];
        entry.index = e;
        if (e % 50 == 49) {
            const sft::Entry& original = entries[random.below(e)];
            entry.instruction = withChangedWords(random, words, original.instruction);
            entry.input = withChangedWords(random, words, original.input);
            entry.output = withChangedWords(random, words, original.output);
            continue;
        }
        entry.instruction = sentence(random, words, 5 + random.below(12), random.below(3) ? "." : "?");
        if (random.below(10) < 4)
            entry.input = paragraph(random, words, 3 + random.below(25));
        entry.output = paragraph(random, words, 4 + size_t(150 * random.unit() * random.unit()));
    }
    return entries;
}

long statusKilobytes(const char* key)
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(key, 0) == 0)
            return std::atol(line.c_str() + std::string(key).size());
    return -1;
}

// Linux resets the peak to the current size when "5" is written here.
void resetPeakMemory() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::string cpuModel()
{
    std::ifstream info("/proc/cpuinfo");
    std::string line, model = "unknown", flags;
    while (std::getline(info, line)) {
        if (line.rfind("model name", 0) == 0 && model == "unknown")
            model = line.substr(line.find(':') + 2);
        if (line.rfind("flags", 0) == 0 && flags.empty())
            flags = line;
    }
    const auto has = [&](const char* flag) { return flags.find(std::string(" ") + flag + " ") != std::string::npos; };
    return model + " (avx2 " + (has("avx2") ? "yes" : "no") + ", fma " + (has("fma") ? "yes" : "no") +
           ", avx512f " + (has("avx512f") ? "yes" : "no") + ")";
}

void measure(const std::vector<sft::Entry>& entries, const std::string& field, double threshold)
{
    const long before = statusKilobytes("VmRSS:");
    resetPeakMemory();
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpuStart = std::clock();
    const auto pairs = sft::findNearDuplicates(entries, field, threshold);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Summed over the threads: the figure to compare when other work shares the cores.
    const double cpuSeconds = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
    const long peak = statusKilobytes("VmHWM:");
    size_t planted = 0;
    for (const auto& p : pairs)
        planted += p.j % 50 == 49;
    std::printf("{\"field\": \"%s\", \"entries\": %zu, \"threshold\": %.2f, \"seconds\": %.2f, \"cpu_seconds\": %.2f, "
                "\"search_peak_rss_growth_mb\": %.0f, \"pairs\": %zu, \"pairs_with_a_planted_copy\": %zu}\n",
                field.c_str(), entries.size(), threshold, seconds, cpuSeconds, double(peak - before) / 1024, pairs.size(),
                planted);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv)
{
    const size_t count = argc > 1 ? size_t(std::atol(argv[1])) : 50000;
    std::printf("cpu: %s, %u threads\n", cpuModel().c_str(), std::thread::hardware_concurrency());
    const std::vector<sft::Entry> entries = alpacaLike(count);
    size_t characters = 0;
    for (const sft::Entry& e : entries)
        characters += e.output.size();
    std::printf("%zu entries, %zu of them near copies, output %.0f characters on average; process %.0f MB resident before the searches\n",
                entries.size(), entries.size() / 50, double(characters) / double(entries.size()),
                double(statusKilobytes("VmRSS:")) / 1024);
    measure(entries, "output", 0.9);
    measure(entries, "all", 0.9);
    return 0;
}
