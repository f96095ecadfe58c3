#include "core/data/near_duplicates.h"

#include "core/tokenizer/utf8.h"
#include "core/util/cpu_features.h"
#include "core/util/error.h"
#include "core/util/unicode_text.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <mutex>
#include <numeric>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace sft {

namespace {

std::vector<const std::string*> fieldTexts(const std::vector<Entry>& entries, const std::vector<size_t>& positions,
                                           const std::string& field)
{
    std::vector<const std::string*> texts;
    texts.reserve(positions.size());
    for (size_t position : positions)
        texts.push_back(&duplicateSearchText(entries[position], field));
    return texts;
}

std::u32string codePoints(std::string_view text)
{
    std::u32string decoded;
    decoded.reserve(text.size());
    for (size_t at = 0; at < text.size();) {
        const utf8::CodePoint cp = utf8::decodeAt(text, at);
        decoded += cp.valid ? cp.value : char32_t(0xFFFD);
        at += cp.length;
    }
    return decoded;
}

// The book's preprocess_text (lower(), then re.sub(r'[^\w\s]', '', ...)) followed by what
// scikit-learn's char analyzer does first: lower() again, which changes nothing more, and every
// run of two or more whitespace characters made one space; a lone tab or newline stays as it is.
std::u32string analyzedText(std::string_view text)
{
    const std::u32string lower = unicode::pythonLower(codePoints(text));
    std::u32string kept;
    kept.reserve(lower.size());
    for (char32_t c : lower)
        if (unicode::isPythonWordChar(c) || unicode::isPythonSpace(c))
            kept += c;
    std::u32string analyzed;
    analyzed.reserve(kept.size());
    for (size_t i = 0; i < kept.size();) {
        size_t run = i;
        while (run < kept.size() && unicode::isPythonSpace(kept[run]))
            ++run;
        if (run - i >= 2) {
            analyzed += U' ';
            i = run;
        } else {
            analyzed += kept[i++];
        }
    }
    return analyzed;
}

// Runs body(index) for every index below count on every core, the calling thread included.
// Indices are handed out in chunks from a shared counter, so uneven work still balances.
template <class Body>
void parallelFor(size_t count, size_t chunk, const Body& body)
{
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    const auto work = [&] {
        try {
            for (size_t from = next.fetch_add(chunk); from < count; from = next.fetch_add(chunk))
                for (size_t index = from; index < std::min(count, from + chunk); ++index)
                    body(index);
        } catch (...) {
            const std::lock_guard<std::mutex> lock(failureMutex);
            failure = std::current_exception();
            next.store(count);
        }
    };
    const size_t threads = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), (count + chunk - 1) / chunk);
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back(work);
    work();
    for (std::thread& helper : helpers)
        helper.join();
    if (failure)
        std::rethrow_exception(failure);
}

// A character n-gram (1 to 3 code points) as one number: code points take 21 bits each and
// none is 0 (U+0000 is neither \w nor \s), so the lengths cannot collide.
uint64_t gramKey(const char32_t* at, size_t length)
{
    uint64_t key = 0;
    for (size_t i = 0; i < length; ++i)
        key = (key << 21) | at[i];
    return key;
}

// n-gram key -> feature number, open addressing (0 marks a free slot).
class FeatureIndex {
public:
    FeatureIndex() : keys_(1 << 16, 0), ids_(1 << 16, 0) {}
    int32_t idOf(uint64_t key)
    {
        for (size_t slot = hash(key);; slot = (slot + 1) & (keys_.size() - 1)) {
            if (keys_[slot] == key)
                return ids_[slot];
            if (keys_[slot] == 0) {
                keys_[slot] = key;
                ids_[slot] = int32_t(size_++);
                if (2 * size_ > keys_.size())
                    grow();
                return int32_t(size_ - 1);
            }
        }
    }
private:
    size_t hash(uint64_t key) const { return size_t((key * 0x9E3779B97F4A7C15ull) >> 20) & (keys_.size() - 1); }
    void grow()
    {
        std::vector<uint64_t> keys(keys_.size() * 2, 0);
        std::vector<int32_t> ids(keys.size(), 0);
        keys.swap(keys_);
        ids.swap(ids_);
        for (size_t old = 0; old < keys.size(); ++old) {
            if (keys[old] == 0)
                continue;
            size_t slot = hash(keys[old]);
            while (keys_[slot] != 0)
                slot = (slot + 1) & (keys_.size() - 1);
            keys_[slot] = keys[old];
            ids_[slot] = ids[old];
        }
    }

    std::vector<uint64_t> keys_;
    std::vector<int32_t> ids_;
    size_t size_ = 0;
};

// The n-grams of one document with their counts, keys ascending.
struct GramCounts {
    std::vector<uint64_t> keys;
    std::vector<uint32_t> counts;
};

// scikit-learn's _char_ngrams with ngram_range=(1, 3), counted.
GramCounts countGrams(std::u32string_view text)
{
    std::vector<uint64_t> all;
    all.reserve(3 * text.size());
    for (size_t at = 0; at < text.size(); ++at)
        for (size_t length = 1; length <= 3 && at + length <= text.size(); ++length)
            all.push_back(gramKey(text.data() + at, length));
    std::sort(all.begin(), all.end());
    GramCounts grams;
    for (size_t i = 0; i < all.size(); ++i) {
        if (i == 0 || all[i] != all[i - 1]) {
            grams.keys.push_back(all[i]);
            grams.counts.push_back(0);
        }
        ++grams.counts.back();
    }
    return grams;
}

struct Gram {
    int32_t feature;
    float count; // exact: counts stay far below 2^24
};

// TfidfVectorizer(analyzer='char', ngram_range=(1, 3)) fitted on the documents and applied to
// them, as a sparse matrix of counts with each feature's idf and each row's inverse L2 norm:
// the weight of a count c is c * idf / norm, in double as scikit-learn computes it. The rows are
// kept in one exactly sized piece per batch of documents, so the matrix never holds spare room.
struct TfidfMatrix {
    std::vector<std::vector<Gram>> pieces;
    std::vector<const Gram*> rowBegin, rowEnd; // features ascending within a row
    std::vector<double> idf;
    std::vector<int64_t> documentFrequency;
    std::vector<double> inverseNorm;

    size_t rows() const { return rowBegin.size(); }
    double weight(const Gram& g, size_t row) const { return g.count * idf[g.feature] * inverseNorm[row]; }
};

TfidfMatrix fitTfidf(const std::vector<const std::string*>& documents, const JobControl* job)
{
    constexpr size_t kBatch = 1024; // documents counted at once: bounds the memory of their keys
    TfidfMatrix matrix;
    FeatureIndex index;
    std::vector<int64_t>& documentFrequency = matrix.documentFrequency;
    for (size_t first = 0; first < documents.size(); first += kBatch) {
        if (job)
            job->checkpoint();
        const size_t size = std::min(kBatch, documents.size() - first);
        std::vector<GramCounts> batch(size);
        parallelFor(size, 16, [&](size_t d) { batch[d] = countGrams(analyzedText(*documents[first + d])); });
        size_t grams = 0;
        for (const GramCounts& counts : batch)
            grams += counts.keys.size();
        std::vector<Gram>& piece = matrix.pieces.emplace_back();
        piece.reserve(grams);
        for (GramCounts& counts : batch) {
            const size_t rowFirst = piece.size();
            for (size_t k = 0; k < counts.keys.size(); ++k) {
                const int32_t id = index.idOf(counts.keys[k]);
                if (size_t(id) == documentFrequency.size())
                    documentFrequency.push_back(0);
                ++documentFrequency[id];
                piece.push_back({id, float(counts.counts[k])});
            }
            std::sort(piece.begin() + ptrdiff_t(rowFirst), piece.end(),
                      [](const Gram& x, const Gram& y) { return x.feature < y.feature; });
            matrix.rowBegin.push_back(piece.data() + rowFirst);
            matrix.rowEnd.push_back(piece.data() + piece.size());
            counts = {};
        }
    }
    // smooth_idf: as if one more document held every feature once.
    const double documentsPlusOne = double(documents.size()) + 1;
    matrix.idf.resize(documentFrequency.size());
    for (size_t f = 0; f < documentFrequency.size(); ++f)
        matrix.idf[f] = std::log(documentsPlusOne / (double(documentFrequency[f]) + 1)) + 1;
    matrix.inverseNorm.resize(matrix.rows());
    for (size_t r = 0; r < matrix.rows(); ++r) {
        double squares = 0;
        for (const Gram* g = matrix.rowBegin[r]; g != matrix.rowEnd[r]; ++g) {
            const double w = g->count * matrix.idf[g->feature];
            squares += w * w;
        }
        // scikit-learn leaves a row without features at zero.
        matrix.inverseNorm[r] = squares > 0 ? 1 / std::sqrt(squares) : 0;
    }
    return matrix;
}

double exactSimilarity(const TfidfMatrix& m, size_t a, size_t b)
{
    double dot = 0;
    const Gram *x = m.rowBegin[a], *y = m.rowBegin[b];
    while (x != m.rowEnd[a] && y != m.rowEnd[b]) {
        if (x->feature < y->feature) {
            ++x;
        } else if (y->feature < x->feature) {
            ++y;
        } else {
            const double idf = m.idf[x->feature];
            dot += x->count * idf * (y->count * idf);
            ++x, ++y;
        }
    }
    return dot * m.inverseNorm[a] * m.inverseNorm[b];
}

// The similarity of every pair is screened in float, a block of rows at a time: the block's
// weights form a dense [feature x row] table, and each later row adds its own few weights'
// multiples of the table's rows into one score per block row. Pairs that may exceed the
// threshold by that bound are computed again exactly in double.
constexpr size_t kBlockRows = 512;
constexpr size_t kTile = 64; // block rows whose scores fit in registers: 8 vectors of 8 floats
constexpr size_t kTiles = kBlockRows / kTile;
// Long texts in a large alphabet share many features; a block then takes fewer rows, so that
// its table stays near this many floats (64 MB).
constexpr size_t kTableFloats = size_t(16) << 20;
// Later rows scored together, one tile at a time: the table is stored tile by tile, so while a
// tile's scores are summed only its part of the table is read, and it stays in the cache.
constexpr size_t kRowsAtOnce = 32;

struct Term {
    int32_t slot; // the feature's row in the block's table
    float weight;
};

// Eight floats read and written at any float's address (GCC's own __m256_u is declared so).
using Floats8 = float __attribute__((vector_size(32), aligned(4), may_alias));

// scores[c] = sum of term.weight * tile[term.slot][c] for the kTile columns of one tile.
inline __attribute__((always_inline)) void scoreTileWith(const float* tile, const Term* terms, size_t termCount,
                                                         float* scores)
{
    Floats8 s0{}, s1{}, s2{}, s3{}, s4{}, s5{}, s6{}, s7{};
    for (size_t t = 0; t < termCount; ++t) {
        const float w = terms[t].weight;
        const auto* v = reinterpret_cast<const Floats8*>(tile + size_t(terms[t].slot) * kTile);
        s0 += w * v[0], s1 += w * v[1], s2 += w * v[2], s3 += w * v[3];
        s4 += w * v[4], s5 += w * v[5], s6 += w * v[6], s7 += w * v[7];
    }
    auto* out = reinterpret_cast<Floats8*>(scores);
    out[0] = s0, out[1] = s1, out[2] = s2, out[3] = s3, out[4] = s4, out[5] = s5, out[6] = s6, out[7] = s7;
}

using ScoreTile = void (*)(const float*, const Term*, size_t, float*);

void scoreTileBaseline(const float* tile, const Term* terms, size_t termCount, float* scores)
{
    scoreTileWith(tile, terms, termCount, scores);
}

#if defined(__GNUC__) && defined(__x86_64__)
__attribute__((target("avx2,fma"))) void scoreTileAvx2(const float* tile, const Term* terms, size_t termCount,
                                                        float* scores)
{
    scoreTileWith(tile, terms, termCount, scores);
}
#endif

// AVX2 + FMA where the processor has them, the baseline's SSE2 elsewhere.
ScoreTile bestScoreTile() { return cpuHasAvx2Fma() ? scoreTileAvx2 : scoreTileBaseline; }

struct ScoredPair {
    size_t a, b;
    double similarity;
};

// Every pair of documents a < b with similarity above the threshold, both pairable.
std::vector<ScoredPair> similarPairs(const TfidfMatrix& m, const std::vector<char>& pairable, double threshold,
                                     const JobControl* job, const ProgressFn& progress, const std::string& label)
{
    const size_t n = m.rows();
    const int64_t totalPairs = int64_t(n) * int64_t(n > 0 ? n - 1 : 0) / 2;
    if (progress)
        progress(0, totalPairs, label);
    std::vector<int32_t> slotOf(m.idf.size(), -1);
    std::vector<float> table;
    std::vector<int32_t> blockFeatures;
    std::mutex foundMutex;
    std::vector<ScoredPair> found;
    static const ScoreTile scoreTile = bestScoreTile();
    for (size_t first = 0, end = 0; first < n; first = end) {
        if (job)
            job->checkpoint();
        // A feature found in one document only adds to no pair: it stays out of the table.
        blockFeatures.clear();
        end = first;
        size_t wholeTilesEnd = first, wholeTilesSlots = 0;
        while (end < n && end - first < kBlockRows) {
            for (const Gram* g = m.rowBegin[end]; pairable[end] && g != m.rowEnd[end]; ++g)
                if (m.documentFrequency[g->feature] > 1 && slotOf[g->feature] < 0) {
                    slotOf[g->feature] = int32_t(blockFeatures.size());
                    blockFeatures.push_back(g->feature);
                }
            ++end;
            const size_t tableRows = (end - first + kTile - 1) / kTile * kTile;
            if (end - first > kTile && blockFeatures.size() * tableRows > kTableFloats) {
                // The block ends with its last whole tile, without the features the rows after it brought.
                for (size_t slot = wholeTilesSlots; slot < blockFeatures.size(); ++slot)
                    slotOf[blockFeatures[slot]] = -1;
                blockFeatures.resize(wholeTilesSlots);
                end = wholeTilesEnd;
                break;
            }
            if ((end - first) % kTile == 0)
                wholeTilesEnd = end, wholeTilesSlots = blockFeatures.size();
        }
        const size_t slots = blockFeatures.size();
        table.assign(slots * ((end - first + kTile - 1) / kTile) * kTile, 0.f);
        for (size_t r = first; r < end; ++r)
            for (const Gram* g = m.rowBegin[r]; pairable[r] && g != m.rowEnd[r]; ++g)
                if (const int32_t slot = slotOf[g->feature]; slot >= 0) {
                    const size_t column = r - first;
                    table[((column / kTile) * slots + size_t(slot)) * kTile + column % kTile] = float(m.weight(*g, r));
                }

        const size_t later = n - first - 1;
        parallelFor((later + kRowsAtOnce - 1) / kRowsAtOnce, 1, [&](size_t chunk) {
            if (job && job->cancelRequested())
                return;
            const size_t from = first + 1 + chunk * kRowsAtOnce, to = std::min(n, from + kRowsAtOnce);
            thread_local std::vector<Term> terms;
            thread_local std::vector<size_t> termStart;
            terms.clear();
            termStart.assign(1, 0);
            for (size_t b = from; b < to; ++b) {
                for (const Gram* g = m.rowBegin[b]; pairable[b] && g != m.rowEnd[b]; ++g)
                    if (const int32_t slot = slotOf[g->feature]; slot >= 0)
                        terms.push_back({slot, float(m.weight(*g, b))});
                termStart.push_back(terms.size());
            }
            float scores[kTile];
            for (size_t tile = 0; tile < kTiles && first + tile * kTile < std::min(to, end); ++tile)
                for (size_t b = from; b < to; ++b) {
                    const size_t columns = std::min(b, end) - first, firstColumn = tile * kTile;
                    const size_t termCount = termStart[b - from + 1] - termStart[b - from];
                    if (firstColumn >= columns || termCount == 0)
                        continue;
                    scoreTile(table.data() + tile * slots * kTile, terms.data() + termStart[b - from], termCount, scores);
                    // The float sum of n products of unit vectors' entries is off by at most about
                    // (n + 2) * 2^-24 (rounding of the weights, the products and the sums); twice
                    // that keeps every pair that can be above the threshold.
                    const float screen = float(threshold - double(termCount + 8) * std::ldexp(1.0, -23));
                    for (size_t c = 0; c < std::min(kTile, columns - firstColumn); ++c) {
                        const size_t a = first + firstColumn + c;
                        if (scores[c] <= screen || !pairable[a])
                            continue;
                        const double similarity = exactSimilarity(m, a, b);
                        if (similarity > threshold) {
                            const std::lock_guard<std::mutex> lock(foundMutex);
                            found.push_back({a, b, similarity});
                        }
                    }
                }
        });
        for (int32_t feature : blockFeatures)
            slotOf[feature] = -1;
        if (progress) {
            const int64_t rowsDone = int64_t(end);
            progress(rowsDone * int64_t(n - 1) - rowsDone * (rowsDone - 1) / 2, totalPairs, label);
        }
    }
    if (job)
        job->checkpoint();
    std::sort(found.begin(), found.end(),
              [](const ScoredPair& x, const ScoredPair& y) { return std::tie(x.a, x.b) < std::tie(y.a, y.b); });
    return found;
}

// Near duplicates among texts (positions into `texts`), as the book's find_near_duplicates
// would report them had it kept the positions of the texts it fits.
std::vector<NearDuplicatePair> nearPairs(const std::vector<const std::string*>& texts, const std::string& field,
                                         double threshold, const JobControl* job, const ProgressFn& progress)
{
    std::vector<size_t> position;  // document -> text
    std::vector<const std::string*> documents;
    for (size_t t = 0; t < texts.size(); ++t)
        if (!texts[t]->empty()) {
            position.push_back(t);
            documents.push_back(texts[t]);
        }
    const TfidfMatrix matrix = fitTfidf(documents, job);
    // The book skips a pair when either text is one character long (len() counts code points).
    std::vector<char> pairable(documents.size());
    for (size_t d = 0; d < documents.size(); ++d)
        pairable[d] = codePoints(*documents[d]).size() > 1 && matrix.inverseNorm[d] > 0;
    std::vector<NearDuplicatePair> pairs;
    for (const ScoredPair& p : similarPairs(matrix, pairable, threshold, job, progress, field))
        pairs.push_back({field, position[p.a], position[p.b], p.similarity});
    return pairs;
}

// Trimmed, each run of whitespace one space.
std::u32string normalizedWhitespace(std::string_view text)
{
    std::u32string normalized;
    bool pendingSpace = false;
    for (char32_t c : codePoints(text)) {
        if (unicode::isPythonSpace(c)) {
            pendingSpace = !normalized.empty();
            continue;
        }
        if (pendingSpace)
            normalized += U' ';
        pendingSpace = false;
        normalized += c;
    }
    return normalized;
}

std::vector<NearDuplicatePair> exactPairs(const std::vector<const std::string*>& texts, const std::string& field)
{
    std::unordered_map<std::u32string, size_t> firstWith;
    std::vector<NearDuplicatePair> pairs;
    for (size_t t = 0; t < texts.size(); ++t) {
        std::u32string text = normalizedWhitespace(*texts[t]);
        if (text.size() <= 1)
            continue;
        const auto [it, first] = firstWith.emplace(std::move(text), t);
        if (!first)
            pairs.push_back({field, it->second, t, 1.0});
    }
    std::sort(pairs.begin(), pairs.end(), [](const NearDuplicatePair& x, const NearDuplicatePair& y) {
        return std::tie(x.i, x.j) < std::tie(y.i, y.j);
    });
    return pairs;
}

template <class FindPairs>
std::vector<NearDuplicatePair> pairsPerField(const std::vector<Entry>& entries, const std::string& field,
                                             const FindPairs& find)
{
    std::vector<size_t> everyPosition(entries.size());
    std::iota(everyPosition.begin(), everyPosition.end(), size_t(0));
    std::vector<NearDuplicatePair> all;
    for (const std::string& name : duplicateSearchFields(field)) {
        std::vector<NearDuplicatePair> pairs = find(fieldTexts(entries, everyPosition, name), name);
        all.insert(all.end(), pairs.begin(), pairs.end());
    }
    return all;
}

template <class FindPairs>
NearDuplicateRemoval removeInTurn(const std::vector<Entry>& entries, const std::string& field, const FindPairs& find)
{
    NearDuplicateRemoval removal;
    std::vector<size_t> kept(entries.size());
    std::iota(kept.begin(), kept.end(), size_t(0));
    for (const std::string& name : duplicateSearchFields(field)) {
        std::vector<char> goes(kept.size(), 0);
        for (const NearDuplicatePair& p : find(fieldTexts(entries, kept, name), name)) {
            removal.pairs.push_back({name, kept[p.i], kept[p.j], p.similarity});
            if (name != "instruction")
                goes[p.j] = 1;
        }
        std::vector<size_t> stays;
        for (size_t k = 0; k < kept.size(); ++k)
            (goes[k] ? removal.removed : stays).push_back(kept[k]);
        kept.swap(stays);
    }
    std::sort(removal.removed.begin(), removal.removed.end());
    return removal;
}

} // namespace

std::vector<std::string> duplicateSearchFields(const std::string& field)
{
    static const std::vector<std::string> all = {"instruction", "input", "output"};
    if (field == "all")
        return all;
    if (std::find(all.begin(), all.end(), field) == all.end())
        throw ConfigError("unknown field '" + field + "' for the duplicate search: use instruction, input, output or all");
    return {field};
}

const std::string& duplicateSearchText(const Entry& entry, const std::string& field)
{
    if (field == "instruction")
        return entry.instruction;
    return field == "input" ? entry.input : entry.output;
}

std::vector<NearDuplicatePair> findNearDuplicates(const std::vector<Entry>& entries, const std::string& field,
                                                  double threshold, const JobControl* job, const ProgressFn& progress)
{
    return pairsPerField(entries, field, [&](const std::vector<const std::string*>& texts, const std::string& name) {
        return nearPairs(texts, name, threshold, job, progress);
    });
}

std::vector<NearDuplicatePair> findExactDuplicates(const std::vector<Entry>& entries, const std::string& field)
{
    return pairsPerField(entries, field, exactPairs);
}

NearDuplicateRemoval removeNearDuplicates(const std::vector<Entry>& entries, const std::string& field,
                                          double threshold, const JobControl* job, const ProgressFn& progress)
{
    return removeInTurn(entries, field, [&](const std::vector<const std::string*>& texts, const std::string& name) {
        return nearPairs(texts, name, threshold, job, progress);
    });
}

NearDuplicateRemoval removeExactDuplicates(const std::vector<Entry>& entries, const std::string& field)
{
    return removeInTurn(entries, field, exactPairs);
}

} // namespace sft
