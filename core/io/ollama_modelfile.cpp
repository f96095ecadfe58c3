#include "core/io/ollama_modelfile.h"

#include "core/util/error.h"

namespace sft {

namespace {

// Template text is literal except for Go template actions, so a "{{" in it is written as one.
std::string goTemplateLiteral(const std::string& text)
{
    if (text.find("\"\"\"") != std::string::npos)
        throw ConfigError("the prompt template holds \"\"\", which an Ollama Modelfile cannot quote");
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "{{") == 0) {
            out += "{{ \"{{\" }}";
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

} // namespace

std::string ollamaModelfile(const std::string& ggufFileName, const std::string& before, const std::string& after,
                            int64_t contextLength)
{
    return "FROM ./" + ggufFileName + "\n" +
           "TEMPLATE \"\"\"" + goTemplateLiteral(before) + "{{ .Prompt }}" + goTemplateLiteral(after) + "\"\"\"\n" +
           "PARAMETER stop \"<|endoftext|>\"\n" +
           // Past its context a GPT-2 has no position embeddings; Ollama's default may be larger.
           "PARAMETER num_ctx " + std::to_string(contextLength) + "\n";
}

} // namespace sft
