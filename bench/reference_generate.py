"""The Python reference for bench_short_jobs.sh: the chapter's generate() on a model already in memory.

Usage: reference_generate.py SFT_STUDIO MODEL_DIR DATA MAX_NEW_TOKENS

Loads MODEL_DIR's model.safetensors into the chapter's GPT (reference_gpt.py), then answers every
entry of DATA as chapter 7 does (format_input, generate() one prompt at a time, greedy,
recomputing the whole sequence for each new token, stopping at <|endoftext|>) and times only the
answering, not the loading. Token IDs come from SFT Studio's tokenize command (the chapter's
tokenizer is not installed here). Prints one JSON line.
"""
import json
import os
import sys
import time

import torch

from reference_gpt import Gpt
from reference_workload import format_input, load_weights, read_safetensors, token_ids


def generate(model, idx, max_new_tokens, context_size, eos_id=50256):
    for _ in range(max_new_tokens):
        idx_cond = idx[:, -context_size:]
        with torch.no_grad():
            logits = model(idx_cond)
        idx_next = torch.argmax(logits[:, -1, :], dim=-1, keepdim=True)
        if idx_next == eos_id:
            break
        idx = torch.cat((idx, idx_next), dim=1)
    return idx


def main():
    cli, model_dir, data_path, max_new_tokens = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    torch.set_num_threads(os.cpu_count())
    config = json.load(open(f"{model_dir}/config.json"))
    model = Gpt(vocab=config["vocab_size"], ctx=config["n_positions"], d=config["n_embd"], layers=config["n_layer"],
                heads=config["n_head"])
    load_weights(model, read_safetensors(f"{model_dir}/model.safetensors"))
    model.eval()
    entries = json.load(open(data_path))
    prompts = [token_ids(cli, model_dir, format_input(entry))[0] for entry in entries]
    start = time.perf_counter()
    answers = []
    for prompt in prompts:
        out = generate(model, torch.tensor([prompt]), max_new_tokens, config["n_positions"])
        answers.append(out[0, len(prompt):].tolist())
    seconds = time.perf_counter() - start
    print(json.dumps({"impl": "python reference (chapter generate)", "threads": torch.get_num_threads(),
                      "prompts": len(prompts), "max_new_tokens": max_new_tokens, "answer_s": round(seconds, 3),
                      "new_tokens": sum(len(a) for a in answers)}))


if __name__ == "__main__":
    main()
