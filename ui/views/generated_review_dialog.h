#pragma once
// New entries a local model wrote, reviewed before they join the dataset: each can be kept or
// left out, and its instruction and output edited in place.

#include <nlohmann/json.hpp>

#include <vector>

class QWidget;

namespace sft::ui {

// The kept entries, as edited; none when the dialog is cancelled.
std::vector<nlohmann::ordered_json> reviewGeneratedEntries(QWidget* parent, std::vector<nlohmann::ordered_json> items);

} // namespace sft::ui
