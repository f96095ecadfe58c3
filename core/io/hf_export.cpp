#include "core/io/hf_export.h"

#include "core/io/model_folder.h"
#include "core/util/files.h"

#include <QFileInfo>

namespace sft {

namespace {

std::string known(const std::string& value) { return value.empty() ? "unknown" : value; }

std::string withThousands(int64_t n)
{
    std::string digits = std::to_string(n);
    for (int i = int(digits.size()) - 3; i > 0; i -= 3)
        digits.insert(size_t(i), ",");
    return digits;
}

std::string architecture(const GptConfig& c)
{
    GptConfig untied = c;
    untied.tieEmbeddings = false;
    return "GPT-2, " + std::to_string(c.nLayers) + " layers, width " + std::to_string(c.embDim) + ", " +
           std::to_string(c.nHeads) + " heads, context " + std::to_string(c.contextLength) + ", vocabulary " +
           std::to_string(c.vocabSize) + "; " +
           withThousands(untied.parameterCount()) +
           " parameters with its own output head";
}

std::string settingsTable(const nlohmann::json& settings)
{
    if (settings.empty())
        return "Unknown: the model was not exported from a checkpoint of an SFT Studio training run.\n";
    std::string table = "| Setting | Value |\n|---|---|\n";
    for (auto it = settings.begin(); it != settings.end(); ++it)
        table += "| " + it.key() + " | " + (it->is_string() ? it->get<std::string>() : it->dump()) + " |\n";
    return table;
}

} // namespace

std::string modelCard(const std::string& name, const GptConfig& config, const ModelProvenance& provenance)
{
    const bool fineTuned = !provenance.settings.empty();
    std::string card = "---\nlibrary_name: transformers\npipeline_tag: text-generation\ntags:\n- gpt2\n"
                       "- sft-studio\n---\n\n# " +
                       name + "\n\n" +
                       (fineTuned ? "A GPT-2 fine-tuned to follow instructions with SFT Studio, as in chapter 7 of "
                                    "\"Build a Large Language Model (From Scratch)\".\n\n"
                                  : "A GPT-2 exported by SFT Studio.\n\n") +
                       "| | |\n|---|---|\n"
                       "| Base model | " + known(provenance.baseModel) + " |\n"
                       "| Dataset | " + known(provenance.dataset) + " |\n"
                       "| Prompt template | " + known(provenance.templateName) + " |\n"
                       "| Architecture | " + architecture(config) + " |\n\n"
                       "## Training settings\n\n" + settingsTable(provenance.settings);
    if (!provenance.promptFormat.empty())
        card += "\n## Prompt format\n\nGive the model this text and let it write the response; leave out the input "
                "part when there is none.\n\n```\n" + provenance.promptFormat + "\n```\n";
    card += "\n## Use\n\n```python\nfrom transformers import AutoModelForCausalLM, AutoTokenizer\n\n"
            "model = AutoModelForCausalLM.from_pretrained(\"path/to/this/folder\")\n"
            "tokenizer = AutoTokenizer.from_pretrained(\"path/to/this/folder\")\n```\n";
    return card;
}

void exportHuggingFace(const std::string& dir, Gpt& model, const Tokenizer& tokenizer,
                       const ModelProvenance& provenance)
{
    saveModelFolder(dir, model, &tokenizer);
    const std::string name = QFileInfo(QString::fromStdString(dir)).fileName().toStdString();
    writeFileAtomic(dir + "/README.md", modelCard(name, model->config(), provenance));
}

} // namespace sft
