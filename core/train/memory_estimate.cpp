#include "core/train/memory_estimate.h"

#include "core/util/error.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace sft {

namespace {

constexpr int64_t kFloat = 4;
// Floats autograd keeps per token and layer, in units of d: the block's LayerNorm inputs and
// outputs, q k v and their contiguous copies, the attention output, the MLP's 4d pre- and
// post-GELU values (measured against bench/bench_lora_memory.cpp).
constexpr int64_t kActivationsPerTokenLayer = 20;
// The libraries (LibTorch, Qt) and the allocator's slack: a tiny model's run peaks at 0.4 GB,
// and the desktop app loads more libraries than the benchmark.
constexpr int64_t kRuntimeBytes = 500'000'000;

// Floats one adapter keeps per token: A's output, and with dropout its dropped-out input and
// the float noise LibTorch's CPU dropout keeps; 3 x in measured with bench_lora_memory.
double adapterActivations(int64_t in, const LoraOptions& lora)
{
    return double(lora.rank) + (lora.dropout > 0 ? 3.0 * double(in) : 0.0);
}

double loraActivationsPerTokenLayer(const GptConfig& c, const LoraOptions& lora)
{
    const int64_t d = c.embDim;
    double floats = 0;
    for (LoraTarget t : {LoraTarget::Query, LoraTarget::Key, LoraTarget::Value, LoraTarget::AttentionOut})
        floats += lora.targets.count(t) ? adapterActivations(d, lora) : 0.0;
    if (lora.targets.count(LoraTarget::FeedForward))
        floats += adapterActivations(d, lora) + adapterActivations(4 * d, lora);
    return floats;
}

int64_t activationBytes(const GptConfig& c, int64_t batch, int64_t length, const LoraOptions* lora)
{
    // Softmax keeps its output; attention dropout adds its output and a byte mask.
    const double perScore = c.dropRate > 0 ? 2.25 : 1.0;
    double perTokenLayer = double(kActivationsPerTokenLayer * c.embDim) + perScore * double(c.nHeads * length);
    if (lora)
        perTokenLayer += loraActivationsPerTokenLayer(c, *lora);
    double perToken = double(c.nLayers) * perTokenLayer + 2.0 * double(c.vocabSize);
    if (lora && lora->targets.count(LoraTarget::Head))
        perToken += adapterActivations(c.embDim, *lora);
    return int64_t(perToken * double(batch * length)) * kFloat;
}

// The gradient of the logits and of the attention scores while backward runs, and AdamW's
// sqrt(v) and its quotient for the largest trained tensor.
int64_t transientBytes(const GptConfig& c, int64_t batch, int64_t length, int64_t largestTrained)
{
    const int64_t logits = 2 * batch * length * c.vocabSize;
    const int64_t scores = 2 * batch * c.nHeads * length * length;
    return std::max({logits, scores, 2 * largestTrained}) * kFloat;
}

// Elements of the layers that have adapters: saving merges a copy of each.
int64_t adaptedWeights(const GptConfig& c, const LoraOptions& lora)
{
    const int64_t d = c.embDim;
    const auto has = [&](LoraTarget t) { return lora.targets.count(t) > 0; };
    const bool qkv = has(LoraTarget::Query) || has(LoraTarget::Key) || has(LoraTarget::Value);
    const int64_t perLayer = (qkv ? 3 * d * d : 0) + (has(LoraTarget::AttentionOut) ? d * d : 0) +
                             (has(LoraTarget::FeedForward) ? 8 * d * d : 0);
    return c.nLayers * perLayer + (has(LoraTarget::Head) ? c.vocabSize * d : 0);
}

std::string loraDescription(const LoraOptions& lora)
{
    std::string targets;
    for (LoraTarget t : lora.targets)
        targets += (targets.empty() ? "" : ", ") + loraTargetName(t);
    return "rank " + std::to_string(lora.rank) + " on " + targets;
}

std::string breakdown(const MemoryEstimate& e)
{
    return "weights " + formatGigabytes(e.weights) + ", gradients " + formatGigabytes(e.gradients) +
           ", AdamW moments " + formatGigabytes(e.optimizer) + ", activations " + formatGigabytes(e.activations);
}

} // namespace

int64_t MemoryEstimate::peak() const { return std::max(modelFiles, training()) + runtime; }

MemoryEstimate estimateTrainingMemory(const GptConfig& config, int64_t batchSize, int64_t sequenceLength,
                                      const LoraOptions* lora)
{
    GptConfig c = config;
    c.tieEmbeddings = false; // Gpt always has a head of its own
    const int64_t base = c.parameterCount();
    const int64_t adapters = lora ? loraParameterCount(c, *lora) : 0;
    const int64_t trained = lora ? adapters : base;
    const int64_t largestTrained = lora ? adapters : c.vocabSize * c.embDim;
    MemoryEstimate e;
    e.weights = (base + adapters) * kFloat;
    e.gradients = trained * kFloat;
    e.optimizer = 2 * trained * kFloat;
    e.activations = activationBytes(c, batchSize, sequenceLength, lora);
    e.transient = transientBytes(c, batchSize, sequenceLength, largestTrained);
    e.modelFiles = (2 * base + (lora ? adaptedWeights(c, *lora) : 0)) * kFloat;
    e.runtime = kRuntimeBytes;
    return e;
}

namespace {

int64_t systemAvailableBytes()
{
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
        std::istringstream fields(line);
        std::string key;
        int64_t kib = 0;
        if (fields >> key >> kib && key == "MemAvailable:")
            return kib * 1024;
    }
    return int64_t(sysconf(_SC_AVPHYS_PAGES)) * int64_t(sysconf(_SC_PAGESIZE));
}

// SFT_MEMORY_LIMIT: gigabytes a run may plan for, to leave room for other programs.
std::optional<int64_t> memoryLimitBytes()
{
    const char* text = std::getenv("SFT_MEMORY_LIMIT");
    if (!text || !*text)
        return std::nullopt;
    char* end = nullptr;
    const double gb = std::strtod(text, &end);
    if (*end != '\0' || !(gb > 0) || gb > 1e6)
        throw ConfigError(std::string("SFT_MEMORY_LIMIT must be a number of gigabytes, such as 16 or 0.5, not '") +
                          text + "'");
    return int64_t(gb * 1e9);
}

} // namespace

int64_t availableMemoryBytes()
{
    const int64_t available = systemAvailableBytes();
    const std::optional<int64_t> limit = memoryLimitBytes();
    return limit ? std::min(available, *limit) : available;
}

std::string trainingMemoryShortfall(const GptConfig& config, const std::string& modelName, int64_t batchSize,
                                    int64_t sequenceLength, const LoraOptions* lora, int64_t availableBytes)
{
    const MemoryEstimate need = estimateTrainingMemory(config, batchSize, sequenceLength, lora);
    if (need.peak() <= availableBytes)
        return {};
    const std::string run = lora ? "LoRA fine-tuning (" + loraDescription(*lora) + ")" : "full fine-tuning";
    std::string message = run + " of " + modelName + " with batches of " + std::to_string(batchSize) + " x " +
                          std::to_string(sequenceLength) + " tokens needs about " + formatGigabytes(need.peak()) +
                          " of memory (" + breakdown(need) + "); this machine has " +
                          formatGigabytes(availableBytes) + " available. ";
    if (!lora) {
        const LoraOptions defaults;
        const MemoryEstimate withLora = estimateTrainingMemory(config, batchSize, sequenceLength, &defaults);
        if (withLora.peak() <= availableBytes)
            return message + "Use LoRA: " + loraDescription(defaults) + " needs about " +
                   formatGigabytes(withLora.peak()) + ".";
    }
    if (need.modelFiles + need.runtime > availableBytes)
        return message + "Reading or saving the model alone needs about " +
               formatGigabytes(need.modelFiles + need.runtime) +
               "; use a smaller model.";
    return message + "Use a smaller batch size or max length, or a smaller model.";
}

std::string formatGigabytes(int64_t bytes)
{
    const double gb = double(bytes) / 1e9;
    char text[32];
    std::snprintf(text, sizeof text, gb >= 10 ? "%.0f GB" : "%.1f GB", gb);
    return text;
}

} // namespace sft
