#include "tests/support/model_fixture.h"

#include "core/io/model_folder.h"
#include "core/model/gpt.h"
#include "core/model/gpt_config.h"
#include "core/tokenizer/tokenizer.h"
#include "core/util/files.h"
#include "tests/support/test_support.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

namespace sft::test {

Gpt randomGpt(const GptConfig& config, uint64_t seed, double scale)
{
    Gpt model(config);
    torch::manual_seed(seed);
    torch::NoGradGuard noGrad;
    for (auto& p : model->parameters())
        p.copy_(torch::randn_like(p) * scale);
    model->eval();
    return model;
}

std::string makeTinyModelFolder(const QString& dir, unsigned seed)
{
    Gpt model(GptConfig::preset("tiny"));
    model->initWeights(seed);
    const Tokenizer tokenizer = Tokenizer::fromDirectory(sharedPath("data/gpt2-tokenizer"));
    saveModelFolder(dir.toStdString(), model, &tokenizer);
    return dir.toStdString();
}

namespace {

std::string writeSlice(const std::string& shared, const QString& path, int count)
{
    const auto all = nlohmann::json::parse(readFile(sharedPath(shared)));
    const nlohmann::json slice(all.begin(), all.begin() + count);
    writeFileAtomic(path.toStdString(), slice.dump(1));
    return path.toStdString();
}

} // namespace

std::string writeChapterSlice(const QString& path, int count)
{
    return writeSlice("data/instruction-data.json", path, count);
}

std::string writePreferenceSlice(const QString& path, int count) { return writeSlice(kPreferenceData, path, count); }

} // namespace sft::test
