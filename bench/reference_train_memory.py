"""The Python reference for bench_train_memory: two AdamW steps of a gpt2-medium-shaped model.

The chapter's loop (torch.optim.AdamW, the head at every position, cross_entropy with -100 on
the padding), batch 8 x 91 with the last 20 targets of each row ignored. Prints the process's
peak resident set.
"""
import json
import os
import resource

import torch
import torch.nn.functional as F

from reference_gpt import Gpt


def main():
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    model = Gpt(d=1024, layers=24, heads=16)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.1)
    tokens = torch.randint(0, 50257, (8, 92))
    inputs, targets = tokens[:, :-1], tokens[:, 1:].clone()
    targets[:, -20:] = -100
    for _ in range(2):
        optimizer.zero_grad()
        F.cross_entropy(model(inputs).flatten(0, 1), targets.flatten()).backward()
        optimizer.step()
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024)
    print(json.dumps({"impl": "python reference (chapter)", "model": "gpt2-medium", "batch": "8 x 91",
                      "peak_rss_gb": round(peak_gb, 2)}))


if __name__ == "__main__":
    main()
