"""The Python reference for bench_workload: the chapter's train_model_simple on its dataset.

Usage: reference_workload.py SFT_STUDIO MODEL_DIR DATA [STEPS (0: all; default 20)]

The same initial weights as the C++ side (the model folder's model.safetensors, Hugging Face
names), the same token IDs (SFT Studio's tokenize command: the chapter's tokenizer is not
installed here), then the chapter's code path: its split, custom_collate_fn, DataLoader orders
after torch.manual_seed(123), AdamW, evaluate_model every 5 steps over 5 batches, and
generate_and_print_sample at epoch ends. Prints one JSON line.
"""
import functools
import json
import os
import struct
import subprocess
import sys
import time

import torch
from torch.utils.data import DataLoader

from reference_gpt import Gpt

SAFETENSORS_DTYPES = {"F32": (torch.float32, 4), "F16": (torch.float16, 2), "BF16": (torch.bfloat16, 2)}


def read_safetensors(path):
    with open(path, "rb") as f:
        (header_length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_length))
        data = bytearray(f.read())
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype, size = SAFETENSORS_DTYPES[info["dtype"]]
        flat = torch.frombuffer(data, dtype=dtype, count=(end - begin) // size, offset=begin)
        tensors[name.removeprefix("transformer.")] = flat.reshape(info["shape"]).float()
    return tensors


def load_weights(model, tensors):
    """HF GPT-2 names onto the chapter's modules; Conv1D weights are [in, out]."""
    taken = set()

    def take(name):
        taken.add(name)
        return tensors[name]

    def assign(param, value):
        assert param.shape == value.shape, (param.shape, value.shape)
        param.copy_(value)

    def linear(module, name):
        assign(module.weight, take(name + ".weight").t())
        assign(module.bias, take(name + ".bias"))

    def norm(module, name):
        assign(module.scale, take(name + ".weight"))
        assign(module.shift, take(name + ".bias"))

    with torch.no_grad():
        assign(model.tok.weight, take("wte.weight"))
        assign(model.pos.weight, take("wpe.weight"))
        for i, block in enumerate(model.blocks):
            prefix = f"h.{i}."
            norm(block.norm1, prefix + "ln_1")
            q, k, v = take(prefix + "attn.c_attn.weight").t().chunk(3, dim=0)
            qb, kb, vb = take(prefix + "attn.c_attn.bias").chunk(3)
            for module, w, b in ((block.att.q, q, qb), (block.att.k, k, kb), (block.att.v, v, vb)):
                assign(module.weight, w)
                assign(module.bias, b)
            linear(block.att.out, prefix + "attn.c_proj")
            norm(block.norm2, prefix + "ln_2")
            linear(block.ff[0], prefix + "mlp.c_fc")
            linear(block.ff[2], prefix + "mlp.c_proj")
        norm(model.norm, "ln_f")
        # Files saved with tied embeddings have no head; the chapter copies wte into it.
        assign(model.head.weight, take("lm_head.weight" if "lm_head.weight" in tensors else "wte.weight"))
    left = set(tensors) - taken - {n for n in tensors if n.endswith((".attn.bias", ".attn.masked_bias"))}
    assert not left, f"weights not loaded: {sorted(left)}"


def format_input(entry):
    instruction_text = (
        "Below is an instruction that describes a task. "
        "Write a response that appropriately completes the request."
        f"\n\n### Instruction:\n{entry['instruction']}"
    )
    input_text = f"\n\n### Input:\n{entry['input']}" if entry["input"] else ""
    return instruction_text + input_text


def token_ids(cli, model_dir, *args):
    out = subprocess.run([cli, "tokenize", "--model", model_dir, *args], check=True, capture_output=True, text=True)
    return [[int(t) for t in line.split()] for line in out.stdout.splitlines()]


def custom_collate_fn(batch, pad_token_id=50256, ignore_index=-100, allowed_max_length=None, device="cpu"):
    batch_max_length = max(len(item) + 1 for item in batch)
    inputs_lst, targets_lst = [], []
    for item in batch:
        new_item = item.copy()
        new_item += [pad_token_id]
        padded = new_item + [pad_token_id] * (batch_max_length - len(new_item))
        inputs = torch.tensor(padded[:-1])
        targets = torch.tensor(padded[1:])
        mask = targets == pad_token_id
        indices = torch.nonzero(mask).squeeze()
        if indices.numel() > 1:
            targets[indices[1:]] = ignore_index
        if allowed_max_length is not None:
            inputs = inputs[:allowed_max_length]
            targets = targets[:allowed_max_length]
        inputs_lst.append(inputs)
        targets_lst.append(targets)
    return torch.stack(inputs_lst).to(device), torch.stack(targets_lst).to(device)


def calc_loss_batch(input_batch, target_batch, model):
    logits = model(input_batch)
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), target_batch.flatten())


def calc_loss_loader(data_loader, model, num_batches=None):
    total_loss = 0.0
    if len(data_loader) == 0:
        return float("nan")
    num_batches = len(data_loader) if num_batches is None else min(num_batches, len(data_loader))
    for i, (input_batch, target_batch) in enumerate(data_loader):
        if i >= num_batches:
            break
        total_loss += calc_loss_batch(input_batch, target_batch, model).item()
    return total_loss / num_batches


def evaluate_model(model, train_loader, val_loader, eval_iter):
    model.eval()
    with torch.no_grad():
        train_loss = calc_loss_loader(train_loader, model, num_batches=eval_iter)
        val_loss = calc_loss_loader(val_loader, model, num_batches=eval_iter)
    model.train()
    return train_loss, val_loss


def generate_text_simple(model, idx, max_new_tokens, context_size):
    for _ in range(max_new_tokens):
        idx_cond = idx[:, -context_size:]
        with torch.no_grad():
            logits = model(idx_cond)
        probas = torch.softmax(logits[:, -1, :], dim=-1)
        idx = torch.cat((idx, torch.argmax(probas, dim=-1, keepdim=True)), dim=1)
    return idx


def generate_and_print_sample(model, start_ids):
    model.eval()
    context_size = model.pos.weight.shape[0]
    with torch.no_grad():
        generate_text_simple(model, torch.tensor([start_ids]), 50, context_size)
    model.train()


def train_model_simple(model, train_loader, val_loader, optimizer, num_epochs, eval_freq, eval_iter, start_ids,
                       max_steps, sample):
    tokens_seen, global_step, evaluations, samples = 0, -1, 0, 0
    train_loss = val_loss = float("nan")
    for _ in range(num_epochs):
        model.train()
        for input_batch, target_batch in train_loader:
            optimizer.zero_grad()
            loss = calc_loss_batch(input_batch, target_batch, model)
            loss.backward()
            optimizer.step()
            tokens_seen += input_batch.numel()
            global_step += 1
            if global_step % eval_freq == 0:
                train_loss, val_loss = evaluate_model(model, train_loader, val_loader, eval_iter)
                evaluations += 1
            if global_step + 1 == max_steps:
                break
        if sample:
            generate_and_print_sample(model, start_ids)
            samples += 1
        if global_step + 1 == max_steps:
            break
    return global_step + 1, evaluations, samples, tokens_seen, train_loss, val_loss


def main():
    cli, model_dir, data_path = sys.argv[1:4]
    max_steps = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    torch.set_num_threads(os.cpu_count())

    with open(data_path) as f:
        data = json.load(f)
    train_portion, test_portion = int(len(data) * 0.85), int(len(data) * 0.1)
    val_data = data[train_portion + test_portion:]
    encoded = token_ids(cli, model_dir, "--data", data_path)
    assert len(encoded) == len(data), "every entry must tokenize"
    train_ids, val_ids = encoded[:train_portion], encoded[train_portion + test_portion:]
    start_ids = token_ids(cli, model_dir, format_input(val_data[0]))[0]

    model = Gpt()
    load_weights(model, read_safetensors(os.path.join(model_dir, "model.safetensors")))

    # The chapter seeds again just before training: its batch orders follow this seed.
    start = time.perf_counter()
    torch.manual_seed(123)
    collate = functools.partial(custom_collate_fn, allowed_max_length=1024)
    train_loader = DataLoader(train_ids, batch_size=8, collate_fn=collate, shuffle=True, drop_last=True)
    val_loader = DataLoader(val_ids, batch_size=8, collate_fn=collate, shuffle=False, drop_last=False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.00005, weight_decay=0.1)
    # The epoch-end sample belongs to the workload; a prefix ending inside an epoch goes without.
    sample = max_steps == 0 or max_steps % len(train_loader) == 0
    steps, evaluations, samples, tokens_seen, train_loss, val_loss = train_model_simple(
        model, train_loader, val_loader, optimizer, num_epochs=2, eval_freq=5, eval_iter=5, start_ids=start_ids,
        max_steps=max_steps, sample=sample)
    wall = time.perf_counter() - start
    print(json.dumps({"impl": "python reference (chapter)", "mode": "reference", "precision": "fp32",
                      "threads": torch.get_num_threads(), "steps": steps, "evaluations": evaluations,
                      "samples": samples, "wall_s": round(wall, 2), "tokens_seen": tokens_seen,
                      "tokens_per_s": round(tokens_seen / wall, 1), "train_loss": round(train_loss, 6),
                      "val_loss": round(val_loss, 6)}), flush=True)


if __name__ == "__main__":
    main()
