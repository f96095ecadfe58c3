#pragma once
// The Modelfile that makes `ollama create NAME -f Modelfile` serve a GGUF export: FROM the file
// beside it, the prompt the model was trained on as Ollama's Go template (the user's message
// where the instruction goes), <|endoftext|> as the stop, and the model's context length.

#include <cstdint>
#include <string>

namespace sft {

// before/after: the prompt template's text around the instruction, the response header
// included in `after`. ConfigError when the text holds """, which a Modelfile cannot quote.
std::string ollamaModelfile(const std::string& ggufFileName, const std::string& before, const std::string& after,
                            int64_t contextLength);

} // namespace sft
