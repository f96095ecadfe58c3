#pragma once
// What LoRA adapts and how (rank, alpha, dropout, target layers): plain values, with no
// LibTorch in sight, for settings, forms and adapter files.

#include "core/settings/setting_table.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace sft {

// Query, Key, Value: the three d -> d bands of the fused attn.c_attn, adapted separately.
// AttentionOut: attn.c_proj. FeedForward: mlp.c_fc and mlp.c_proj. Head: lm_head.
enum class LoraTarget { Query, Key, Value, AttentionOut, FeedForward, Head };

std::string loraTargetName(LoraTarget target); // q, k, v, attn_out, ffn, head
// Throws ConfigError listing the names.
LoraTarget parseLoraTarget(const std::string& name);
// A comma-separated list of names ("q,v"), or "all".
std::set<LoraTarget> parseLoraTargets(const std::string& list);

struct LoraOptions {
    int64_t rank = 8;
    double alpha = 16; // updates are scaled by alpha / rank
    double dropout = 0.05;
    std::set<LoraTarget> targets{LoraTarget::Query, LoraTarget::Value};

    // {"r", "lora_alpha", "lora_dropout", "targets": ["q", "v"]}: PEFT's keys where PEFT has one
    // (loraSettings()).
    nlohmann::json toJson() const;
    static LoraOptions fromJson(const nlohmann::json& j); // ConfigError when malformed or invalid
    void validate() const;                                 // ConfigError
};

// q, k, v, attn_out, ffn, head: every target's name, in order.
std::vector<std::string> loraTargetNames();

// The LoRA settings, as adapter files and (nested under "lora") run.json hold them.
const SettingTable<LoraOptions>& loraSettings();

} // namespace sft
