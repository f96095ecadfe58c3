#pragma once
// The tensors of one weights file, copied into a model's parameters by name. Each is checked
// against the shape the parameter needs, and tensors nobody asked for are reported, so a file
// that holds another model is refused with the file, the tensor and both shapes named instead
// of being half-loaded.

#include "core/io/safetensors.h"
#include "core/model/gpt.h"

#include <string>
#include <vector>

namespace sft {

// How a file stores a weight relative to the parameter ([out, in] for a Linear).
enum class WeightLayout {
    AsIs,
    Transposed,        // Hugging Face's Conv1D: [in, out]
    TransposedUnderOne // OpenAI's TensorFlow conv1d: [1, in, out]
};

// What a loaded model is for. Loading for training copies every weight into memory of its own.
// The others leave weights where they lie, in the file's pages mapped copy-on-write, instead of
// copying them into fresh memory (whose first touch is most of a copy's cost), and a file without
// an output head gets the token embedding's memory as its head; such a model must not be changed
// in place.
//  - Inference (decoding): the weights the file stores as the parameter holds them (float32,
//    the parameter's shape). Decoding's few-row products (skinny_linear.h) stream a weight row by
//    row, so Hugging Face's transposed Conv1D weights are still copied into the Linear layout.
//  - Evaluation (forward passes over whole sequences: logits, losses): every weight, transposed
//    ones as transposed views; a matrix product reads either layout at the same speed.
enum class WeightUse { Training, Inference, Evaluation };

struct WeightSlot {
    std::string name;     // as the file calls it
    torch::Tensor target; // the parameter, or a view of it (a third of a fused q/k/v matrix)
    WeightLayout layout = WeightLayout::AsIs;
};

class WeightSource {
public:
    // `shapesFrom` says what the expected shapes come from, for messages ("this config.json").
    WeightSource(TensorMap tensors, std::string file, std::string shapesFrom, WeightUse use = WeightUse::Training);

    const std::string& file() const { return file_; }
    bool has(const std::string& name) const { return tensors_.count(name) > 0; }
    // Removes a tensor that is not a weight (a causal-mask buffer); no-op when absent.
    void discard(const std::string& name) { tensors_.erase(name); }

    // Copies each slot's tensor in, widened to float32 (for inference, takes it as it is where
    // it can). WeightsError when one is missing, of another shape or not floating-point.
    void fill(const std::vector<WeightSlot>& slots);
    // WeightsError naming up to five tensors no slot took.
    void requireAllTaken() const;
    // fill() with the output head too, then requireAllTaken(): the head from `headName` when
    // the file has it; files saved with tied embeddings have none, and the chapter copies the
    // token embedding into it.
    void fillModel(std::vector<WeightSlot> slots, Gpt& model, const std::string& headName);

private:
    torch::Tensor take(const std::string& name, torch::IntArrayRef expected);

    TensorMap tensors_;
    std::string file_;
    std::string shapesFrom_;
    WeightUse use_;
};

std::string shapeText(torch::IntArrayRef sizes); // "[2, 3]"

} // namespace sft
